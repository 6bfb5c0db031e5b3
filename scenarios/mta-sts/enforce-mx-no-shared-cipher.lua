-- CONFORMANCE G68: enforce; mx1 offers only cipher suites no sender
-- offers (eNULL), so the handshake fails; mx2 is healthy. No delivery via
-- mx1 (no plaintext retry under enforce), delivery via mx2. TLSRPT:
-- validation-failure with a failure-reason-code for mx1.
return {
  title  = "MTA-STS enforce: no shared cipher with mx1, mx2 healthy",
  refs   = { "RFC 8461 5", "RFC 8461 5.1", "RFC 8460 4.3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid", tls = "no-shared-cipher" },
             { host = "mx2.example.test", pref = 20, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "g68c" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified", tlsrpt = { "validation-failure" }, leak = false },
}
