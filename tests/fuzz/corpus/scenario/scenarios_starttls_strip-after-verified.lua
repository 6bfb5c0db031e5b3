-- The attacker waits until a message has reached the MX over TLS, then
-- strips STARTTLS.  A sender that knows (by configuration here, or by
-- remembering the domain's TLS level) that the domain does TLS must
-- refuse the downgrade.
return {
  title  = "STARTTLS stripped only after a delivery over TLS",
  refs   = { "RFC 3207 6", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "strip_starttls", host = "mx1.example.test", after_verified = true } },
  messages = 2,
  expect = { delivery = { "verified", "refused" }, leak = false },
}
