-- The TLSA RRset exists, but the answer claims it does not (NODATA).  The
-- NSEC record at the name proves the type is there, so the validating
-- resolver finds the denial bogus: SERVFAIL, defer.  Treating it as "no
-- TLSA" would let the attacker downgrade to opportunistic TLS.
return {
  title  = "Forged NODATA for an existing TLSA RRset: bogus, defer",
  refs   = { "RFC 4035 5.4", "RFC 7672 2.1.1", "CONFORMANCE H80" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", type = "TLSA", fault = "nodata" },
  },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
