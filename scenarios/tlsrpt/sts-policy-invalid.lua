-- CONFORMANCE D37, O: the policy says version STSv2: invalid, no policy; the
-- report carries sts-policy-invalid.
return {
  title  = "TLSRPT: invalid policy reported",
  refs   = { "RFC 8460 4.3.2.2", "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { id = "i1", body = "version: STSv2\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified", tlsrpt = { "sts-policy-invalid" } },
}
