-- Submission on 587 with STARTTLS required (RFC 8314 3.3 allows STARTTLS
-- for submission; the certificate must verify).
return {
  title  = "Submission on 587 with STARTTLS, no attacker",
  refs   = { "RFC 8314 3.3", "RFC 6409" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "starttls" },
  expect = { delivery = "verified", leak = false },
}
