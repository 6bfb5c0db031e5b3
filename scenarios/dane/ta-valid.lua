-- DANE-TA(2) Cert(0) SHA2-256(1) of the CA that issued mx1's
-- certificate; mx1 serves that CA in its chain, the leaf names mx1.
return {
  title  = "DANE-TA: TLSA 2 0 1 of the issuing CA, valid chain and name",
  refs   = { "RFC 7672 3.1.2", "RFC 7672 3.2.2", "RFC 7671 5.2.2", "CONFORMANCE I93" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "2 0 1 ca" } },
  expect = { delivery = "verified" },
}
