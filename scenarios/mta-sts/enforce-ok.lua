-- CONFORMANCE C24, G61: a well-formed policy served over HTTPS with a valid
-- certificate for mta-sts.example.test; enforce mode, the MX listed:
-- delivery over verified TLS.
return {
  title  = "MTA-STS enforce: policy fetched, MX listed, valid certificate",
  refs   = { "RFC 8461 3.2", "RFC 8461 3.3", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", mx = { "mx1.example.test" }, max_age = 604800, id = "20260101" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified", leak = false },
}
