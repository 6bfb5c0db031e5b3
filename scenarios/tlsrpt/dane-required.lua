-- CONFORMANCE H86, N: the sender's local policy requires DANE; mx1 has no
-- TLSA record, mx2 has one.  mx1 is not used, the message goes through
-- mx2, and the sender's own report has dane-required for mx1.
return {
  title  = "TLSRPT: the sender reports dane-required for a host without TLSA",
  refs   = { "RFC 8460 4.3.2.1", "RFC 7672 6" },
  domain = "example.test",
  dnssec = "secure",
  sender_tls = "dane",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  tlsa   = { ["mx2.example.test"] = { "3 1 1 auto" } },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified", tlsrpt = { "dane-required" } },
}
