-- The attacker terminates TLS with a "cn-only" certificate for the MX
-- host and relays to the real MX: no subjectAltName: RFC 6125 senders must not fall back to the CN.
return {
  title  = "Attacker presents a cn-only certificate",
  refs   = { "RFC 6125 6.4.4", "RFC 8461 4.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "cn-only" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" }, leak = false },
}
