-- weak-exempt: the validating resolver catches the forgery before any sender logic runs; every sender mode refuses.
-- The attacker replaces the domain's MX RRset in transit with its own
-- mail host.  The zone is signed, so the resolver finds the MX RRset
-- bogus and answers SERVFAIL: no delivery, and no fallback to the
-- domain's A record (RFC 7672 2.1.2).
return {
  title  = "MX RRset spoofed in transit under DNSSEC: bogus, defer",
  refs   = { "RFC 7672 2.1.2", "RFC 4035 5", "CONFORMANCE H76" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = { { "spoof_mx" } },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
