-- DANE-TA does not need a CA the sender trusts: the TLSA record makes
-- the private CA the trust anchor for mx1.
return {
  title  = "DANE-TA: a private CA no sender trusts, named by TLSA 2 1 1",
  refs   = { "RFC 7672 3.1.2", "RFC 7671 5.2.2", "CONFORMANCE I93" },
  domain = "example.test",
  dnssec = "secure",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "untrusted-ca" } },
  tlsa   = { ["mx1.example.test"] = { "2 1 1 ca" } },
  expect = { delivery = "verified" },
}
