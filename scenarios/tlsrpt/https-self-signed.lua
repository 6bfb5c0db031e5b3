-- CONFORMANCE N153: the https: rua endpoint presents a self-signed
-- certificate. RFC 8460 5.4 lets the sender ignore certificate errors
-- when it posts a report: the reference sender does, so mxsim expects
-- the POST (application/tlsrpt+gzip), read back without findings.
return {
  title  = "TLSRPT: HTTPS report to an endpoint with a self-signed cert",
  refs   = { "RFC 8460 3", "RFC 8460 5.4" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1", cert = "self-signed" },
  expect = { delivery = "verified", reports = { https = 1 } },
}
