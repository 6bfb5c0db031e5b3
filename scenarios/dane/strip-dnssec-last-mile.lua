-- The attacker sits between the validating resolver and the sender and
-- removes the RRSIGs, NSEC, DNSKEY and DS records and the AD bit from
-- every answer, and strips STARTTLS too.  A stub that trusts AD now sees
-- insecure data: DANE no longer applies and the message goes in
-- plaintext (builtin:trust-ad, and builtin:opportunistic, which ignores
-- DNSSEC).  RFC 7672 2.1.1 asks the sender to validate itself or to reach
-- its validating resolver over a trusted channel (CONFORMANCE H74): the
-- reference sender validates locally from the root's trust anchor, so
-- the root's DNSKEY RRset is missing, everything in the signed tree is
-- bogus, the MX lookup fails and the message is deferred.
return {
  title  = "DNSSEC stripped on the last mile: a validating sender defers",
  refs   = { "RFC 7672 2.1.1", "RFC 6698 4.1", "RFC 4035 4.9.3", "CONFORMANCE H74" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "strip_dnssec" },
    { "strip_starttls", host = "mx1.example.test" },
  },
  expect = { delivery = "refused" },
}
