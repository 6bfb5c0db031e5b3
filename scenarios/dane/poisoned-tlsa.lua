-- The attacker rewrites the TLSA RRset on its way from the authoritative
-- servers to the validating resolver, so that it names the attacker's own
-- key, and presents a certificate with that key.  Under DNSSEC the
-- resolver finds the signatures broken (bogus): SERVFAIL, and a DANE
-- sender defers.  A sender that ignores DANE delivers to the attacker.
-- (Lee et al., USENIX Security 2020: "poisoned TLSA".)
return {
  title  = "TLSA rdata poisoned in transit under DNSSEC: bogus, so defer",
  refs   = { "RFC 7672 2.1.2", "RFC 6698 4.1", "RFC 4035 5", "CONFORMANCE H78" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "poison_tlsa", host = "mx1.example.test" },   -- "3 1 1" of the attacker's key
    { "swap_cert", host = "mx1.example.test" },     -- a certificate with that key
  },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
