-- CONFORMANCE E47, C28: an enforce policy is cached; then a new id is
-- published and the attacker downgrades the refetched policy to testing
-- (with its own certificate) and strips STARTTLS. The forged policy fails
-- validation, the cached enforce policy stays: no plaintext.
return {
  title  = "MTA-STS: a downgraded policy from the attacker does not replace the cache",
  refs   = { "RFC 8461 3.3", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "p1" },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { mta_sts = { mode = "enforce", id = "p2" },
              attack = { { "tamper_policy", mode = "testing" }, { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", leak = false } },
  },
}
