-- The attacker answers STARTTLS with 454: under DANE the sender must not
-- go on in plaintext.
return {
  title  = "DANE: STARTTLS answered 454, no plaintext fallback",
  refs   = { "RFC 7672 2.2", "CONFORMANCE I105" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = { { "starttls_error", host = "mx1.example.test", code = 454 } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
