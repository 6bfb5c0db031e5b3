-- The attacker answers STARTTLS with 454 itself.
return {
  title  = "STARTTLS answered 454 by the attacker, sender requires verified TLS",
  refs   = { "RFC 3207 4", "CONFORMANCE A7", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_error", host = "mx1.example.test", code = 454,
               text = "4.7.0 TLS not available due to local problem" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
