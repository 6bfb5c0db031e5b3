-- CONFORMANCE G68: enforce; the only MX offers nothing but TLS 1.0, which
-- an MTA-STS sender does not accept (RFC 8461 7.2: TLS 1.2 or later): the
-- handshake fails and the message is deferred, never sent in plaintext.
-- TLSRPT: validation-failure with a failure-reason-code.
return {
  title  = "MTA-STS enforce: the MX offers only TLS 1.0",
  refs   = { "RFC 8461 5", "RFC 8461 7.2", "RFC 8460 4.3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid", tls = "tls1.0" } },
  mta_sts = { mode = "enforce", id = "g68" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" }, leak = false },
}
