-- A cached enforce policy protects when the attacker later blocks the _mta-
-- sts TXT lookup and the policy host (answering NXDOMAIN for the TXT) and
-- strips STARTTLS.
return {
  title  = "Seed case: cached enforce policy, TXT and policy host blocked",
  refs   = { "RFC 8461 5.1", "RFC 8461 10.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "b1" },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "3h",
      set = { attack = { { "tamper_txt", mode = "nxdomain" }, { "tamper_policy", mode = "block" },
                         { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", leak = false } },
  },
}
