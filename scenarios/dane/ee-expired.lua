-- With DANE-EE the sender must ignore the certificate's dates: an
-- expired certificate whose key matches the TLSA record authenticates.
return {
  title  = "DANE-EE with an expired certificate: must deliver",
  refs   = { "RFC 7672 3.1.1", "RFC 7671 5.1", "CONFORMANCE I90" },
  domain = "example.test",
  dnssec = "secure",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "expired" } },
  tlsa   = { ["mx1.example.test"] = { "3 0 1 auto" } },
  expect = { delivery = "verified" },
}
