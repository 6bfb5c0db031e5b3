-- CONFORMANCE G63: enforce; the attacker answers STARTTLS with 454: no
-- plaintext.
return {
  title  = "MTA-STS enforce: STARTTLS answered 454",
  refs   = { "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "g1" },
  attack = { { "starttls_error", host = "mx1.example.test", code = 454 } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
