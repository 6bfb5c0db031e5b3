-- TLS split, the reverse: the sender never sees STARTTLS (the attacker
-- removes it from the EHLO reply) and speaks clear text to the attacker,
-- while the attacker does STARTTLS towards the MX itself and relays the
-- dialogue inside its own TLS: the MX logs a TLS session, the message
-- crossed the attacker in plaintext.  A sender that requires TLS refuses.
return {
  title  = "TLS split: sender kept in clear text, attacker speaks TLS to the MX",
  refs   = { "RFC 3207 4", "RFC 3207 6", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "encrypt",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "tls_split", host = "mx1.example.test", mode = "mx-tls" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false,
             content = "protected" },
}
