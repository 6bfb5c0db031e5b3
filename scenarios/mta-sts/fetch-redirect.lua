-- weak-exempt: a sender that follows the redirect refuses; every builtin mode delivers in plaintext.
-- CONFORMANCE C25: the policy URL answers 301 to another path that serves a
-- valid policy; redirects must not be followed, so the fetch fails and, with
-- nothing cached, the domain has no MTA-STS: plaintext after the strip.
return {
  title  = "MTA-STS: the policy host redirects (must not be followed)",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1", variant = "redirect" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", id = "r2", variant = "redirect-302" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", id = "r3", variant = "redirect-307" } }, expect = { delivery = "plaintext" } },
  },
}
