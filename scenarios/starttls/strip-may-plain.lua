-- weak-exempt: an opportunistic sender may deliver in plaintext (RFC
-- 3207 6) in every mode; the counterpart of smime-strip-may with a plain
-- message: the leak's content is "exposed".
return {
  title  = "STARTTLS stripped, plain message, opportunistic sender",
  refs   = { "RFC 3207 6" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext", leak = true, content = "exposed" },
}
