-- Submission on 587: the attacker answers STARTTLS and presents a
-- certificate from a CA the client does not trust.
return {
  title  = "Submission on 587: certificate from an untrusted CA",
  refs   = { "RFC 8314 3.3", "RFC 6125 6" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "starttls" },
  attack = { { "swap_cert", host = "mx1.example.test", port = 587, cert = "untrusted-ca" } },
  expect = { delivery = "refused", leak = false },
}
