-- CONFORMANCE K121: signed zone, TLSA securely absent; enforce STS: the STS
-- rules apply, a stripped STARTTLS means no delivery.
return {
  title  = "MTA-STS + DANE: TLSA securely absent, STS enforce applies",
  refs   = { "RFC 8461 5", "RFC 7672 2.2" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "d3" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
