-- The NO STARTTLS sweep of the STARTTLS step: the attacker answers the
-- sender's STARTTLS itself with each reply code (a 220 that starts no
-- TLS, a 250 that pretends, a 354, the 4xx and 5xx refusals).  A sender
-- that requires TLS must never go on in plaintext, whatever the code.
-- One file, one scenario per code: starttls/sweep-starttls#STARTTLS-454.
return {
  title  = "STARTTLS answered by the attacker with every reply code",
  refs   = { "RFC 3207 4", "RFC 3207 6", "CONFORMANCE A2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  sweep  = { step = { "STARTTLS" }, code = { 200, 220, 250, 354, 421, 454, 501, 554 } },
  expect_for = function(step, code)
    return { delivery = "refused", leak = false }
  end,
}
