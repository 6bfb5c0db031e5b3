-- The handshake fails on the first connection only.  The sender's next
-- connection is where weak senders go wrong: a plaintext retry of the
-- same message.  A sender that requires TLS defers the first message
-- (its only connection for it failed) and delivers the second over TLS.
return {
  title  = "TLS handshake fails once: what the sender does on its next connection",
  refs   = { "RFC 3207 4", "RFC 7672 2.2", "CONFORMANCE A9" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "handshake_fail", host = "mx1.example.test", mode = "alert", nth = 1 } },
  messages = 2,
  expect = { delivery = { "refused", "verified" }, tlsrpt = { "validation-failure" },
             leak = false },
}
