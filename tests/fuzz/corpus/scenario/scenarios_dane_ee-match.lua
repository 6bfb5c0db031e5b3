-- Signed zones, a DANE-EE(3) SPKI(1) SHA2-256(1) record computed from
-- mx1's own certificate: the sender looks up the TLSA RRset, sees it
-- DNSSEC-validated and authenticates the server with it.
return {
  title  = "DANE-EE: secure TLSA 3 1 1 matching the MX's key",
  refs   = { "RFC 7672 2.2", "RFC 7672 3.1.1", "CONFORMANCE H75" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "verified" },
}
