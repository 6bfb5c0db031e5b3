-- The attacker terminates TLS with a "self-signed" certificate and relays to the
-- real MX.  A sender that requires verified TLS must QUIT right after the
-- handshake: no MAIL FROM, no message data.
return {
  title  = "Certificate swapped by the attacker: self-signed",
  refs   = { "RFC 3207 4.1", "RFC 6125 6", "CONFORMANCE A10", "RFC 8460 4.3.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "self-signed", relay = true } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" }, leak = false },
}
