-- The attacker drops the answers to the MX query: the sender cannot find
-- the domain's MX hosts and must keep the message queued (no fallback to
-- the domain's A record on a lookup error).
return {
  title  = "MX answers dropped: defer",
  refs   = { "RFC 5321 5.1", "RFC 7672 2.1.2" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "block", type = "MX", mode = "drop" } },
  expect = { delivery = "refused" },
}
