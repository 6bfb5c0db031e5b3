-- The MX host's zone is unsigned; the attacker answers its A query with
-- the address of its own mail host.  The sender requires verified TLS
-- for the domain (sender_tls = "secure"): the attacker's certificate does
-- not name mx1.example.test, so nothing may be delivered.  A sender that
-- delivers anyway hands the message to the attacker.
return {
  title  = "A record of the MX spoofed (unsigned zone), verified TLS required",
  refs   = { "RFC 3207 6", "RFC 7672 2.2", "CONFORMANCE A8" },
  domain = "example.test",
  dnssec = "insecure",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "spoof_a", host = "mx1.example.test" } },
  expect = { delivery = "refused" },
}
