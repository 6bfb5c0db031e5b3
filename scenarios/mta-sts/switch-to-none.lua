-- weak-exempt: mode none must NOT block; a sender that keeps enforce refuses.
-- CONFORMANCE E52: a cached enforce policy is replaced (new id) by mode
-- none: the domain has no policy any more, and the stripped session goes on
-- in plaintext.
return {
  title  = "MTA-STS: switching the policy to mode none",
  refs   = { "RFC 8461 5", "RFC 8461 8.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "n1" },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { mta_sts = { mode = "none", id = "n2", max_age = 86400 }, attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "plaintext" } },
  },
}
