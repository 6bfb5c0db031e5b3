-- CONFORMANCE L129: mx1 (wrongly) lists REQUIRETLS before STARTTLS too,
-- and the attacker strips STARTTLS: the sender sees REQUIRETLS in a clear
-- text session.  It must never put REQUIRETLS on MAIL FROM outside TLS
-- (the verdict counts that as plaintext even without message data).
return {
  title   = "REQUIRETLS: offered in clear text, never used there",
  refs    = { "RFC 8689 2", "CONFORMANCE L129" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10, requiretls = "both" } },
  message = { requiretls = true },
  attack  = { { "strip_starttls", host = "mx1.example.test" } },
  expect  = { delivery = "refused", leak = false },
}
