-- weak-exempt: RFC 8461 lets the sender choose (MAY); this checks that it copes.
-- CONFORMANCE C34: the policy is padded to 1 MiB. A sender may refuse it
-- (suggested limit 64 KB) or accept it; either way nothing may hang.
return {
  title  = "MTA-STS: oversize policy body",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "o1", variant = "oversize" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = { "plaintext", "refused" } },
}
