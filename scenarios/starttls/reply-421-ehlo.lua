-- 421 to EHLO on the primary MX: a closing channel, not a refusal of
-- EHLO; no HELO on it, the next MX instead.
return {
  title  = "421 to EHLO on the primary MX: fall back to the next preference",
  refs   = { "RFC 5321 3.8", "RFC 5321 5.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  attack = { { "reply", host = "mx1.example.test", step = "EHLO", code = 421 } },
  expect = { delivery = "verified", leak = false },
}
