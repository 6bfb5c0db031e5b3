-- The attacker answers the sender's TLSA query with SERVFAIL itself.
-- Same as a failing lookup: defer, never downgrade.
return {
  title  = "TLSA answered SERVFAIL by the attacker: defer",
  refs   = { "RFC 7672 2.1.2", "CONFORMANCE H79" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "block", name = "_25._tcp.mx1.example.test", type = "TLSA", mode = "servfail" },
    { "strip_starttls", host = "mx1.example.test" },
  },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
