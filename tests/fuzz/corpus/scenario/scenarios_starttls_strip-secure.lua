-- The attacker removes STARTTLS from the EHLO reply.  A sender configured
-- to require authenticated TLS for the domain must not fall back.
return {
  title  = "STARTTLS stripped from EHLO, sender requires verified TLS",
  refs   = { "RFC 3207 6", "CONFORMANCE A8", "RFC 8460 4.3.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
