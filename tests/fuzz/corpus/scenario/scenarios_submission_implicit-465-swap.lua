-- Implicit TLS on 465 with the attacker's self-signed certificate.
return {
  title  = "Submission with implicit TLS on 465: self-signed certificate swapped in",
  refs   = { "RFC 8314 3.3", "RFC 8314 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 465, tls = "implicit" },
  attack = { { "swap_cert", host = "mx1.example.test", port = 465, cert = "self-signed" } },
  expect = { delivery = "refused", leak = false },
}
