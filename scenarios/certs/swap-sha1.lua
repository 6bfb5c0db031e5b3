-- The attacker terminates TLS with a "sha1" certificate for the MX
-- host and relays to the real MX: a SHA-1 signature is below 112-bit security: rejected at OpenSSL security level 2.
return {
  title  = "Attacker presents a sha1 certificate",
  refs   = { "RFC 8461 4.1", "RFC 9155" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "sha1" } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" }, leak = false },
}
