-- Nothing listens on the primary MX: connection refused, next MX.
return {
  title  = "Primary MX refuses connections: fall back to the next preference",
  refs   = { "RFC 5321 5.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  attack = { { "block", host = "mx1.example.test", mode = "refuse" } },
  expect = { delivery = "verified", leak = false },
}
