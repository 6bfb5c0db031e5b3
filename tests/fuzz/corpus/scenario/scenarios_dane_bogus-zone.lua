-- The domain's zone is signed with corrupted signatures: the validating
-- resolver answers SERVFAIL, so the MX set cannot be known.  Defer: no
-- fallback to the A record, to stale data or to plaintext.
return {
  title  = "Bogus zone: MX and TLSA lookups fail validation, defer",
  refs   = { "RFC 7672 2.1.1", "RFC 7672 2.1.2", "CONFORMANCE H76", "CONFORMANCE H77" },
  domain = "example.test",
  dnssec = "bogus",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
