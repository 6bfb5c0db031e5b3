-- The primary MX is blackholed (accepts, never answers): after its
-- timeout the sender must move on to the backup MX.
return {
  title  = "Primary MX blackholed: fall back to the next preference",
  refs   = { "RFC 5321 5.1", "RFC 5321 4.5.3.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  attack = { { "block", host = "mx1.example.test", mode = "blackhole" } },
  expect = { delivery = "verified", leak = false },
}
