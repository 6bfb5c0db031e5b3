-- DANE-EE authenticates the key, not a PKIX chain: a self-signed
-- certificate that matches the TLSA record is fine.  A PKIX-only check
-- would refuse it.
return {
  title  = "DANE-EE with a self-signed certificate: must deliver",
  refs   = { "RFC 7672 3.1.1", "RFC 7671 5.1", "CONFORMANCE H75" },
  domain = "example.test",
  dnssec = "secure",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "verified" },
}
