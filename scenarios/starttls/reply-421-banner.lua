-- The attacker greets with 421 on the primary MX: the sender must move on
-- to the next MX (and deliver there over TLS).
return {
  title  = "421 greeting on the primary MX: fall back to the next preference",
  refs   = { "RFC 5321 3.8", "RFC 5321 5.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  attack = { { "reply", host = "mx1.example.test", step = "banner", code = 421 } },
  expect = { delivery = "verified", leak = false },
}
