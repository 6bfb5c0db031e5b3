-- The attacker terminates TLS with a "weak-rsa" certificate for the MX
-- host and relays to the real MX: below 112-bit security: rejected at OpenSSL security level 2 (Debian's default).
return {
  title  = "Attacker presents a weak-rsa certificate",
  refs   = { "RFC 8461 4.1", "NIST SP 800-131A" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "weak-rsa" } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" }, leak = false },
}
