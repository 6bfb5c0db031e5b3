-- weak-exempt: an opportunistic sender may deliver in plaintext (RFC
-- 3207 6) in every mode; the point is what the verdict says of the leak.
-- The message is S/MIME-encrypted end to end and the attacker strips
-- STARTTLS: the message reaches the attacker in plaintext transport, the
-- leak is recorded, and so is that its content stayed protected (the
-- report says "content protected"; starttls/strip-may-plain says
-- "content exposed" for the same attack on a plain message).
return {
  title  = "STARTTLS stripped, S/MIME-encrypted message, opportunistic sender",
  refs   = { "RFC 3207 6", "RFC 8551 3.3" },
  domain = "example.test",
  message = { smime = true },
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext", leak = true, content = "protected" },
}
