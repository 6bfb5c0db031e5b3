-- Both MX hosts are stripped: moving on to the backup must not help the
-- attacker, and neither MX may get the message in clear text.
return {
  title  = "STARTTLS stripped on every MX, sender requires verified TLS",
  refs   = { "RFC 3207 6", "RFC 5321 5.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  attack = { { "strip_starttls", host = "mx1.example.test" },
             { "strip_starttls", host = "mx2.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
