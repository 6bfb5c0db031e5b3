-- DANE required by local policy: mx1 has none, mx2 has a secure TLSA
-- record, so the message goes to mx2 (mx1 is not usable).
return {
  title  = "DANE required by local policy: the DANE MX gets the message",
  refs   = { "RFC 7672 6", "CONFORMANCE H86" },
  domain = "example.test",
  dnssec = "secure",
  sender_tls = "dane",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20, cert = "self-signed" } },
  tlsa   = { ["mx2.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "verified", tlsrpt = { "dane-required" } },
}
