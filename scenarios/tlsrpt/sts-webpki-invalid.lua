-- CONFORMANCE C28, O: the policy host presents an expired certificate; no
-- policy, the MX is healthy. The report carries sts-webpki-invalid.
return {
  title  = "TLSRPT: policy host certificate fails WebPKI",
  refs   = { "RFC 8460 4.3.2.2", "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", cert = "expired" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified", tlsrpt = { "sts-webpki-invalid" } },
}
