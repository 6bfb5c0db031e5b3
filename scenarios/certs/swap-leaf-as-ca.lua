-- The attacker terminates TLS with a "leaf-as-ca" certificate for the MX
-- host and relays to the real MX: root -> leaf (not a CA) -> MX certificate, served with the leaf.
return {
  title  = "Attacker presents a leaf-as-ca certificate",
  refs   = { "RFC 5280 4.2.1.9", "RFC 5280 6.1.4" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "leaf-as-ca" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" }, leak = false },
}
