-- The domain's two MX hosts live in different zones: mx1.other.test in a
-- zone whose signatures have expired (bogus), mx2.example.test in a
-- secure zone with a matching TLSA record.  mx1 cannot be used (its
-- lookups are bogus); the message goes to mx2, authenticated by DANE.
return {
  title  = "MX hosts in zones of different states: bogus mx1 skipped, DANE via mx2",
  refs   = { "RFC 7672 2.1.2", "RFC 7672 2.2.1", "CONFORMANCE H76", "CONFORMANCE H78" },
  domain = "example.test",
  dnssec = "secure",
  zones  = { ["other.test"] = "bogus:expired" },
  mx     = { { host = "mx1.other.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  tlsa   = { ["mx2.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "verified", tlsrpt = { "dnssec-invalid" } },
}
