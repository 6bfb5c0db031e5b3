-- The attacker terminates TLS with a "wildcard-two-labels" certificate for the MX
-- host and relays to the real MX: a wildcard covers exactly one label.
return {
  title  = "Attacker presents a wildcard-two-labels certificate",
  refs   = { "RFC 6125 6.4.3", "RFC 7672 3.2.3" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.sub.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.sub.example.test", cert = "wildcard-two-labels" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" }, leak = false },
}
