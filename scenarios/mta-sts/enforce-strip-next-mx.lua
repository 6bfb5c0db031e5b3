-- CONFORMANCE G62, G69: enforce; STARTTLS is stripped on mx1 (pref 10), mx2
-- (pref 20) is healthy: no plaintext to mx1, delivery to mx2 over verified
-- TLS.
return {
  title  = "MTA-STS enforce: STARTTLS stripped on the first MX, the second is healthy",
  refs   = { "RFC 8461 5", "RFC 8461 5.1", "RFC 8461 8.4" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" },
               { host = "mx2.example.test", pref = 20, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "g1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "verified", tlsrpt = { "starttls-not-supported" }, leak = false },
}
