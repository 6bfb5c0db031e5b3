-- The attacker impersonates the MX entirely (does not relay) with its own
-- valid certificate for evil.attacker.test.
return {
  title  = "Attacker impersonates the MX and keeps the mail",
  refs   = { "RFC 3207 4.1", "RFC 6125 6" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "attacker", relay = false } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" }, leak = false },
}
