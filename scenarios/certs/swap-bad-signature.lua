-- The attacker terminates TLS with a "bad-signature" certificate for the MX
-- host and relays to the real MX: the issuer's signature no longer covers the key.
return {
  title  = "Attacker presents a bad-signature certificate",
  refs   = { "RFC 5280 6.1.3", "RFC 8460 4.3.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "bad-signature" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" }, leak = false },
}
