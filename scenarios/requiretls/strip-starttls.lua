-- CONFORMANCE L126: the attacker strips STARTTLS from mx1's EHLO reply.
-- A REQUIRETLS message must not be sent in clear: non-delivery (5.7.10).
return {
  title   = "REQUIRETLS: STARTTLS stripped, no transmission",
  refs    = { "RFC 8689 4.2.1", "CONFORMANCE L126" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  message = { requiretls = true },
  attack  = { { "strip_starttls", host = "mx1.example.test" } },
  expect  = { delivery = "refused", leak = false },
}
