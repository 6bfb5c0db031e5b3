-- CONFORMANCE G71: testing mode; the MX presents a self-signed certificate:
-- the failure does not block delivery (over TLS), and it is reported
-- (certificate-not-trusted).
return {
  title  = "MTA-STS testing: self-signed MX certificate, delivered and reported",
  refs   = { "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  mta_sts = { mode = "testing", id = "t1" },
  expect = { delivery = "tls", tlsrpt = { "certificate-not-trusted" } },
}
