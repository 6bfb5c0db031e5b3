-- CONFORMANCE F57: the patterns mx*.example.test, *mx.example.test and *
-- never match anything; mx1.example.test is not a valid MX under enforce.
return {
  title  = "MTA-STS: malformed wildcard patterns never match",
  refs   = { "RFC 8461 3.2", "RFC 8461 4.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w3", mx = { "mx*.example.test", "*mx.example.test", "*" } },
  expect = { delivery = "refused" },
}
