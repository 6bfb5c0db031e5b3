-- The attacker removes the RRSIGs of the TLSA answer between the
-- authoritative servers and the validating resolver.  The resolver knows
-- the zone is signed (DS in the parent), so unsigned data there is bogus,
-- not insecure: SERVFAIL, and the DANE sender defers rather than falling
-- back to opportunistic TLS (and here to plaintext: STARTTLS is stripped
-- too).
return {
  title  = "RRSIGs stripped upstream of the validating resolver: bogus, not insecure",
  refs   = { "RFC 7672 2.1.1", "RFC 4035 5", "CONFORMANCE H107" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "strip_dnssec", at = "upstream", type = "TLSA" },
    { "strip_starttls", host = "mx1.example.test" },
  },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
