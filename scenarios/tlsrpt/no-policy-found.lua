-- CONFORMANCE N155: TLSRPT published but neither STS nor DANE: sessions are
-- reported under no-policy-found.
return {
  title  = "TLSRPT: no-policy-found report",
  refs   = { "RFC 8460 4.4" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified" },
}
