-- CONFORMANCE F53: the policy pattern is MX1.EXAMPLE.TEST; matching is case-
-- insensitive, so mx1.example.test is listed.
return {
  title  = "MTA-STS: MX pattern matching ignores case",
  refs   = { "RFC 8461 4.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "c1", mx = { "MX1.EXAMPLE.TEST" } },
  expect = { delivery = "verified" },
}
