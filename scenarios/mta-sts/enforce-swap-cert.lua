-- CONFORMANCE G58/G66: enforce; the attacker terminates TLS with its own
-- certificate (valid chain, its own name): no delivery to it.
return {
  title  = "MTA-STS enforce: the attacker presents its own certificate",
  refs   = { "RFC 8461 4.2", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "g1" },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "attacker" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" }, leak = false },
}
