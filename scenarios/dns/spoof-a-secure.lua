-- weak-exempt: the validating resolver catches the forgery; mx1 is unusable in every sender mode and mx2 takes the message.
-- The attacker spoofs mx1's address in a signed zone: bogus, so mx1 is
-- unreachable and the message goes to mx2 (RFC 7672 2.1.2).
return {
  title  = "A record of mx1 spoofed under DNSSEC: skip mx1, deliver via mx2",
  refs   = { "RFC 7672 2.1.2", "CONFORMANCE H85" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  tlsa   = { ["mx2.example.test"] = { "3 1 1 auto" } },
  attack = { { "spoof_a", host = "mx1.example.test" } },
  expect = { delivery = "verified", tlsrpt = { "dnssec-invalid" } },
}
