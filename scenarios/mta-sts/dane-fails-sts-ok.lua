-- CONFORMANCE K117: a secure, usable TLSA RRset that does not match mx1, and
-- an enforce STS policy listing mx1 whose certificate is valid: STS cannot
-- rescue the DANE failure, no delivery.
return {
  title  = "MTA-STS + DANE: STS cannot override a failing DANE validation",
  refs   = { "RFC 8461 2", "RFC 7672 3" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 0000000000000000000000000000000000000000000000000000000000000000" } },
  mta_sts = { mode = "enforce", id = "d1" },
  expect = { delivery = "refused", tlsrpt = { "tlsa-invalid" } },
}
