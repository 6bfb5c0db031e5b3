-- As strip-secure, with a sender that requires TLS but not authentication.
return {
  title  = "STARTTLS stripped from EHLO, sender requires TLS (encrypt)",
  refs   = { "RFC 3207 6", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "encrypt",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
