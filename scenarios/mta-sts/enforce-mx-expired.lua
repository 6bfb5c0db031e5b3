-- CONFORMANCE G65: enforce; the only MX presents a expired certificate: no
-- delivery (certificate-expired).
return {
  title  = "MTA-STS enforce: MX certificate expired",
  refs   = { "RFC 8461 4.2", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "expired" } },
  mta_sts = { mode = "enforce", id = "g1" },
  expect = { delivery = "refused", tlsrpt = { "certificate-expired" } },
}
