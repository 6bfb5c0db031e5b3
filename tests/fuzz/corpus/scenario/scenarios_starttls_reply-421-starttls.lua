-- 421 to STARTTLS: the server closes; nothing may follow on this
-- connection, least of all plaintext.
return {
  title  = "421 to STARTTLS, single MX",
  refs   = { "RFC 5321 3.8", "RFC 3207 4" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "reply", host = "mx1.example.test", step = "STARTTLS", code = 421 } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
