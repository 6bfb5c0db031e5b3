-- The attacker terminates TLS with a "untrusted-ca" certificate and relays to the
-- real MX.  A sender that requires verified TLS must QUIT right after the
-- handshake: no MAIL FROM, no message data.
return {
  title  = "Certificate swapped by the attacker: untrusted-ca",
  refs   = { "RFC 3207 4.1", "RFC 6125 6", "CONFORMANCE A10", "RFC 8460 4.3.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "untrusted-ca", relay = true } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" }, leak = false },
}
