-- CONFORMANCE N147, N153: enforce policy, rua=https:. The session is
-- verified; a compliant sender posts an RFC 8460 report to the receiver
-- (application/tlsrpt+gzip or +json), which mxsim parses, validates and
-- compares.
return {
  title  = "TLSRPT: report over HTTPS for a verified STS session",
  refs   = { "RFC 8460 3", "RFC 8460 5.4" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified" },
}
