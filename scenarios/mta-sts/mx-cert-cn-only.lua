-- CONFORMANCE F60: under enforce the MX certificate names mx1.example.test
-- only in its CN (no SAN): it does not satisfy RFC 8461 4.2, so no delivery
-- (certificate-host-mismatch).
return {
  title  = "MTA-STS enforce: MX certificate without SAN",
  refs   = { "RFC 8461 4.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = { no_san = true, cn = "mx1.example.test" } } },
  mta_sts = { mode = "enforce", id = "c1" },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" } },
}
