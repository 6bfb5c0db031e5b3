-- CONFORMANCE F54: *.example.test matches mx1.example.test.
return {
  title  = "MTA-STS: a wildcard pattern matches one label",
  refs   = { "RFC 8461 4.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", mx = { "*.example.test" } },
  expect = { delivery = "verified" },
}
