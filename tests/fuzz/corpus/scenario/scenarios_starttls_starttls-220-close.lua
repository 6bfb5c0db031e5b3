-- The attacker answers STARTTLS with 220 and closes the connection.
return {
  title  = "STARTTLS answered 220, then the connection closes",
  refs   = { "RFC 3207 4", "CONFORMANCE A9" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_error", host = "mx1.example.test", code = 220, mode = "close" } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" }, leak = false },
}
