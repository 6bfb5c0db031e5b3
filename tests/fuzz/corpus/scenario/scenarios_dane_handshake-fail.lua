-- The TLS handshake fails midway (the attacker resets it).  A pre-DANE
-- sender may retry in cleartext; under DANE it must not.
return {
  title  = "DANE: handshake failure, no cleartext retry",
  refs   = { "RFC 7672 2.2", "CONFORMANCE I106", "CONFORMANCE A9" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = { { "handshake_fail", host = "mx1.example.test", mode = "reset" } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" }, leak = false },
}
