-- weak-exempt: the downgrade happens before any sender logic; a sender that trusts the AD bit of an untrusted channel is fooled in every mode, one that validates itself refuses.
-- The attacker sits between the validating resolver and the sender and
-- removes the RRSIGs and the AD bit from every answer: the data now looks
-- insecure, DANE no longer applies, and with STARTTLS stripped too the
-- message goes in plaintext.  RFC 7672 2.1.1 asks the sender to validate
-- itself or to reach its validating resolver over a trusted channel;
-- this scenario shows why (CONFORMANCE H74).  A sender that validates
-- locally refuses; a stub that trusts AD delivers in plaintext, which is
-- what the reference sender does.  See the notes in results.json.
return {
  title  = "DNSSEC stripped on the last mile: the AD-trusting stub is downgraded",
  refs   = { "RFC 7672 2.1.1", "RFC 6698 4.1", "CONFORMANCE H74" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "strip_dnssec" },
    { "strip_starttls", host = "mx1.example.test" },
  },
  expect = { delivery = { "refused", "plaintext" } },
}
