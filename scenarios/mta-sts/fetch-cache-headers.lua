-- CONFORMANCE C27, E49: the policy is served with Cache-Control, ETag and
-- Expires; then the TXT id changes, the new policy lists mx3 only and the MX
-- moves to mx3. A sender must refetch (no HTTP cache) and deliver to mx3.
return {
  title  = "MTA-STS: HTTP caching headers are ignored, a new id is refetched",
  refs   = { "RFC 8461 3.3", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "c1", mx = { "mx1.example.test" }, variant = "cache-headers" },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { mx = { { host = "mx3.example.test", pref = 10 } },
              mta_sts = { mode = "enforce", id = "c2", mx = { "mx3.example.test" }, variant = "cache-headers" } },
      expect = { delivery = "verified" } },
  },
}
