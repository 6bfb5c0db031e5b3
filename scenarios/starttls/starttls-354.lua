-- The attacker answers STARTTLS with 354 (the DATA go-ahead): nonsense at
-- this step, and no TLS.
return {
  title  = "STARTTLS answered 354 by the attacker, sender requires verified TLS",
  refs   = { "RFC 3207 4", "RFC 5321 4.2.1", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_error", host = "mx1.example.test", code = 354 } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
