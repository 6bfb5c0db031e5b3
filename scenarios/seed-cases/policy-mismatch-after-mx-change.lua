-- The seed's "policy mismatch after MX change": an enforce policy listing
-- mx1 is cached; the domain moves its MX to mx3 without publishing a new
-- policy (same id). mx3 is not in the cached policy: no delivery until a
-- fresh policy lists it (CONFORMANCE F58, G70).
return {
  title  = "Seed case: MX changed, the cached policy does not list the new MX",
  refs   = { "RFC 8461 4.1", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "s1", mx = { "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "2h",
      set = { mx = { { host = "mx3.example.test", pref = 5 } } },
      expect = { delivery = "refused" } },
  },
}
