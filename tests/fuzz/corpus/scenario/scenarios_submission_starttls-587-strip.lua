-- A submission client that requires STARTTLS must not send the message
-- when STARTTLS is stripped.
return {
  title  = "Submission on 587: STARTTLS stripped",
  refs   = { "RFC 8314 3.3", "RFC 3207 6" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "starttls" },
  attack = { { "strip_starttls", host = "mx1.example.test", port = 587 } },
  expect = { delivery = "refused", leak = false },
}
