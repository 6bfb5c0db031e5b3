-- No attacker: the MX itself answers 454 to STARTTLS (a reply override).
return {
  title  = "MX answers STARTTLS with 454, sender requires verified TLS",
  refs   = { "RFC 3207 4", "CONFORMANCE A7" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10,
               replies = { STARTTLS = "454 4.7.0 TLS not available" } } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
