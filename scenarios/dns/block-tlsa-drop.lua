-- The attacker drops every answer to the sender's TLSA queries (the
-- lookup times out).  A lookup error is not a denial: defer.  A sender
-- that takes the silence for "no TLSA" falls back to opportunistic TLS
-- and, with STARTTLS stripped, to plaintext.
return {
  title  = "TLSA answers dropped on the last mile: defer, no downgrade",
  refs   = { "RFC 7672 2.1.2", "CONFORMANCE H79" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = {
    { "block", type = "TLSA", mode = "drop" },
    { "strip_starttls", host = "mx1.example.test" },
  },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
