-- The RFCs waive expiry only for DANE-EE; the harness expects a DANE-TA
-- chain with an expired leaf to fail (CONFORMANCE ambiguity 12).
return {
  title  = "DANE-TA with an expired leaf certificate",
  refs   = { "RFC 7672 3.1.2", "CONFORMANCE I98", "CONFORMANCE P12" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "expired" } },
  tlsa   = { ["mx1.example.test"] = { "2 0 1 ca" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-expired" } },
}
