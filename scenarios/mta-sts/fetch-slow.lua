-- weak-exempt: RFC 8461 lets the sender choose; this checks that it does not hang.
-- CONFORMANCE C34: the policy body trickles one byte every 2 seconds (about
-- 3 minutes in all). A sender may give up (suggested: 1 minute) and treat it
-- as a fetch failure, or wait; it must not hang its queue. Either way the
-- delivery goes on within the deadline.
return {
  title  = "MTA-STS: policy body trickled slowly",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "s1", variant = "slow" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = { "plaintext", "refused" } },
}
