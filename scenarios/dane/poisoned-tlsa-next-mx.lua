-- mx1's TLSA RRset is poisoned in transit (bogus at the validating
-- resolver); mx2 has valid DANE.  mx1 must be treated as unreachable and
-- the message goes to mx2.  A sender that ignores DANE takes mx1 and
-- hands the message to the attacker that sits there.
return {
  title  = "Poisoned TLSA for mx1, valid DANE at mx2: skip mx1",
  refs   = { "RFC 7672 2.1.2", "RFC 6698 4.1", "CONFORMANCE H78" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" },
             ["mx2.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "poison_tlsa", host = "mx1.example.test" },
    { "swap_cert", host = "mx1.example.test" },
  },
  expect = { delivery = "verified", tlsrpt = { "dnssec-invalid" } },
}
