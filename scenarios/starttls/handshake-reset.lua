-- The attacker answers STARTTLS 220 itself, then answers the sender's
-- ClientHello with a TCP reset.
-- A sender that requires TLS must not retry in plaintext.
return {
  title  = "TLS handshake failed after 220 (reset), sender requires verified TLS",
  refs   = { "RFC 3207 4", "RFC 7672 2.2", "CONFORMANCE A9" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "handshake_fail", host = "mx1.example.test", mode = "reset" } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" }, leak = false },
}
