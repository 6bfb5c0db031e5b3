-- STARTTLS is stripped on the second connection only: the first message
-- goes over verified TLS, the second must not go in plaintext.
return {
  title  = "STARTTLS stripped on the second connection only",
  refs   = { "RFC 3207 6", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "strip_starttls", host = "mx1.example.test", nth = 2 } },
  messages = 2,
  expect = { delivery = { "verified", "refused" }, leak = false },
}
