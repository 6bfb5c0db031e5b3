-- CONFORMANCE G66: enforce; the only MX presents a wrong-host certificate:
-- no delivery (certificate-host-mismatch).
return {
  title  = "MTA-STS enforce: MX certificate wrong-host",
  refs   = { "RFC 8461 4.2", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "wrong-host" } },
  mta_sts = { mode = "enforce", id = "g1" },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" } },
}
