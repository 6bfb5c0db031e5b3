-- CONFORMANCE F56: *.example.test does not match a.b.example.test: under
-- enforce that MX is not valid, so nothing may be delivered to it.
return {
  title  = "MTA-STS: a wildcard does not match two labels",
  refs   = { "RFC 8461 4.1" },
  domain = "example.test",
  mx     = { { host = "a.b.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w2", mx = { "*.example.test" } },
  expect = { delivery = "refused" },
}
