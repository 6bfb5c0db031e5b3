-- CONFORMANCE E50: the policy body changes (a second mx pattern, mx2 added
-- to the MX set) but the TXT id does not. The sender may keep the cached
-- body (the id is the change signal) or refresh it; either way delivery
-- goes on verified to mx1: nothing breaks.
return {
  title  = "MTA-STS: same id, changed body",
  refs   = { "RFC 8461 3.1", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "sb1", mx = { "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified", fetches = 1 } },
    { advance = "2h",
      set = { mx = { { host = "mx1.example.test", pref = 10, cert = "valid" },
                     { host = "mx2.example.test", pref = 20, cert = "valid" } },
              mta_sts = { mode = "enforce", id = "sb1",
                          mx = { "mx1.example.test", "mx2.example.test" } } },
      expect = { delivery = "verified" } },
  },
}
