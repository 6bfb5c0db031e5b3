-- The attacker answers STARTTLS with 200: a success code, but not the 220
-- that starts TLS.  A sender that requires TLS must not take it for one
-- and must not go on in plaintext.
return {
  title  = "STARTTLS answered 200 by the attacker, sender requires verified TLS",
  refs   = { "RFC 3207 4", "CONFORMANCE A7", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_error", host = "mx1.example.test", code = 200 } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
