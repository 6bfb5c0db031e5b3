-- The attacker resets every connection to the primary MX.
return {
  title  = "Connections to the primary MX reset: fall back to the next preference",
  refs   = { "RFC 5321 5.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx2.example.test", pref = 20 },
             { host = "mx1.example.test", pref = 10 } },
  attack = { { "block", host = "mx1.example.test", mode = "reset" } },
  expect = { delivery = "verified", leak = false },
}
