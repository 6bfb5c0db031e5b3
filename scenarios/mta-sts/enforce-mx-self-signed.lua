-- CONFORMANCE G64: enforce; the only MX presents a self-signed certificate:
-- no delivery (certificate-not-trusted).
return {
  title  = "MTA-STS enforce: MX certificate self-signed",
  refs   = { "RFC 8461 4.2", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  mta_sts = { mode = "enforce", id = "g1" },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" } },
}
