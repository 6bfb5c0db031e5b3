-- Implicit TLS submission (RFC 8314 3.3): TLS from the first byte.
return {
  title  = "Submission with implicit TLS on 465, no attacker",
  refs   = { "RFC 8314 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 465, tls = "implicit" },
  expect = { delivery = "verified", leak = false },
}
