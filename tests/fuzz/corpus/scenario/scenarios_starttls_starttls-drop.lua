-- The attacker cuts the connection when the sender issues STARTTLS.
return {
  title  = "Connection dropped at STARTTLS, sender requires verified TLS",
  refs   = { "RFC 3207 4", "CONFORMANCE A9" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_error", host = "mx1.example.test", mode = "drop" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
