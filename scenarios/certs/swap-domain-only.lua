-- The attacker terminates TLS with a "domain-only" certificate for the MX
-- host and relays to the real MX: the reference identity of an MX is its host name (MTA-STS, DANE), never the recipient domain.
return {
  title  = "Attacker presents a domain-only certificate",
  refs   = { "RFC 8461 4.1", "RFC 7672 3.2.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "domain-only" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" }, leak = false },
}
