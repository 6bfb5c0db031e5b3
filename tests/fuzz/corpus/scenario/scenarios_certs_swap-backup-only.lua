-- The primary MX is blackholed and the attacker swaps the certificate of
-- the backup: the sender must refuse rather than deliver to the attacker.
return {
  title  = "Primary blackholed, backup MX behind a certificate-swapping attacker",
  refs   = { "RFC 5321 5.1", "RFC 3207 4.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  attack = { { "block", host = "mx1.example.test", mode = "blackhole" },
             { "swap_cert", host = "mx2.example.test", cert = "self-signed" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" }, leak = false },
}
