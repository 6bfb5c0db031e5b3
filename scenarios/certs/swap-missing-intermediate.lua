-- The attacker terminates TLS with a "missing-intermediate" certificate for the MX
-- host and relays to the real MX: the sender cannot build a path to the root.
return {
  title  = "Attacker presents a missing-intermediate certificate",
  refs   = { "RFC 5280 6.1", "RFC 8446 4.4.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "missing-intermediate" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" }, leak = false },
}
