-- CONFORMANCE G67: enforce; the only MX presents a untrusted-ca certificate:
-- no delivery (certificate-not-trusted).
return {
  title  = "MTA-STS enforce: MX certificate untrusted-ca",
  refs   = { "RFC 8461 4.2", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "untrusted-ca" } },
  mta_sts = { mode = "enforce", id = "g1" },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" } },
}
