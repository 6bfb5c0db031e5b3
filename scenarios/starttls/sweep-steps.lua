-- The NO STARTTLS sweep across the dialogue: the attacker answers each
-- plaintext step with a temporary or permanent error.  Before STARTTLS
-- (the banner, EHLO) the attack keeps TLS from starting, and a sender
-- that requires TLS must not fall back (to HELO, or to plaintext); after
-- STARTTLS the dialogue is inside TLS, which the attacker cannot read,
-- so the same replies never reach the sender and mail goes through.
-- expect_for as a table: the most specific key wins.
return {
  title  = "Reply codes at every plaintext step, sender requires TLS",
  refs   = { "RFC 3207 4", "RFC 5321 4.2", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  sweep  = { step = { "banner", "EHLO", "MAIL", "RCPT", "DATA", "DOT" },
             code = { 421, 454, 501, 554 } },
  expect_for = {
    banner  = { delivery = "refused", leak = false },
    EHLO    = { delivery = "refused", leak = false },
    default = { delivery = "verified", leak = false },
  },
}
