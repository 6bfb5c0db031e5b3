-- The attacker answers STARTTLS with a permanent 502 (command not
-- implemented), as a server without TLS support would.
return {
  title  = "STARTTLS answered 502 by the attacker, sender requires verified TLS",
  refs   = { "RFC 3207 4", "CONFORMANCE A7", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_error", host = "mx1.example.test", code = 502 } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
