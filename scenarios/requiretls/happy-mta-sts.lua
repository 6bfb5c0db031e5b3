-- CONFORMANCE L123 with MTA-STS: the zone is not signed, but an enforce
-- MTA-STS policy lists mx1, which authenticates the MX name (RFC 8689
-- 4.2.1 step 2).
return {
  title   = "REQUIRETLS: MX validated by an enforce MTA-STS policy",
  refs    = { "RFC 8689 4.2.1", "RFC 8461 4.1", "CONFORMANCE L123" },
  domain  = "example.test",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  mta_sts = { mode = "enforce", mx = { "mx1.example.test" }, id = "r1" },
  message = { requiretls = true },
  expect  = { delivery = "verified" },
}
