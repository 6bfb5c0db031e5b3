-- weak-exempt: an expired policy must NOT apply; a sender that keeps it forever refuses.
-- CONFORMANCE E48: an enforce policy with max_age 120 is cached; ten minutes
-- later the TXT record is gone and the policy URL answers 404. The policy
-- has expired: no MTA-STS, and the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: the cached policy expires after max_age",
  refs   = { "RFC 8461 3.2", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "x1", max_age = 120 },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "10m",
      set = { mta_sts = { mode = "enforce", id = "x1", txt = {}, variant = "404" }, attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "plaintext" } },
  },
}
