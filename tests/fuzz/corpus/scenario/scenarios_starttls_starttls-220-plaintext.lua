-- The attacker answers STARTTLS with 220 itself and starts no TLS: the
-- sender's ClientHello reaches the MX in plaintext, which answers it with a
-- plaintext error, and the handshake fails.  The sender must not go on in
-- plaintext, on this connection or the next.
return {
  title  = "STARTTLS answered 220 but no TLS follows, sender requires verified TLS",
  refs   = { "RFC 3207 4", "CONFORMANCE A9" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_error", host = "mx1.example.test", code = 220 } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" }, leak = false },
}
