-- Trust on first use: on first contact the attacker blocks discovery and
-- strips STARTTLS (plaintext, expected-insecure); later, with the attacker
-- gone, the sender learns the policy; when the attacker returns, the cached
-- policy protects.
return {
  title  = "Seed case: first contact unprotected, later contacts protected",
  refs   = { "RFC 8461 10.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "f1" },
  attack = { { "tamper_txt", mode = "block" }, { "tamper_policy", mode = "block" },
             { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "plaintext" } },
    { advance = "1h", set = { attack = {} }, expect = { delivery = "verified" } },
    { advance = "1h",
      set = { attack = { { "tamper_txt", mode = "block" }, { "tamper_policy", mode = "block" },
                         { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", leak = false } },
  },
}
