-- The attacker answers EHLO with 502 so that the sender falls back to
-- HELO, which carries no capability list and so no STARTTLS.  A sender
-- that requires TLS must not deliver over the HELO session.
return {
  title  = "EHLO rejected to force HELO, sender requires verified TLS",
  refs   = { "RFC 5321 4.1.4", "RFC 3207 4", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "ehlo_reject", host = "mx1.example.test", code = 502 } },
  expect = { delivery = "refused", leak = false },
}
