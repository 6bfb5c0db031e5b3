-- CONFORMANCE K120, ambiguity P1: DANE-EE matches mx1 whose certificate is
-- self-signed (fails WebPKI), an enforce STS policy lists mx1. DANE wins
-- (recommended): deliver; a sender that applies both and defers is also RFC-
-- consistent.
return {
  title  = "MTA-STS + DANE: DANE passes, STS would fail (DANE wins)",
  refs   = { "RFC 8461 2", "RFC 7672 3.1.1" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  mta_sts = { mode = "enforce", id = "d2" },
  expect = { delivery = { "verified", "refused" } },
}
