-- CONFORMANCE E49: a cached enforce policy lists mx1; the domain publishes a
-- new id with a policy for mx3 and moves its MX to mx3. The new policy is
-- fetched and mx3 is accepted.
return {
  title  = "MTA-STS: a new id triggers a refetch",
  refs   = { "RFC 8461 3.3", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1", mx = { "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "2h",
      set = { mx = { { host = "mx3.example.test", pref = 10 } },
              mta_sts = { mode = "enforce", id = "r2", mx = { "mx3.example.test" } } },
      expect = { delivery = "verified" } },
  },
}
