-- CONFORMANCE E51: an enforce policy with max_age two days is fetched. 25
-- hours later the id is unchanged: the sender refreshes the policy anyway
-- (RFC 8461 3.3, 10.2: proactively, e.g. daily), so max_age runs from that
-- fetch. Another 25 hours on (50 h after the first fetch, past its max_age)
-- the TXT record is gone, the host answers 404 and STARTTLS is stripped:
-- the refreshed policy is still in force and nothing goes in plaintext. A
-- sender that never refreshed has let the policy expire.
return {
  title  = "MTA-STS: proactive daily refresh re-arms max_age",
  refs   = { "RFC 8461 3.3", "RFC 8461 10.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "pr1", max_age = 172800 },
  phases = {
    { expect = { delivery = "verified", fetches = 1 } },
    { advance = "25h", expect = { delivery = "verified", fetches = 1 } },
    { advance = "25h",
      set = { mta_sts = { mode = "enforce", id = "pr1", max_age = 172800,
                          txt = {}, variant = "404" },
              attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", leak = false, fetches = 0 } },
  },
}
