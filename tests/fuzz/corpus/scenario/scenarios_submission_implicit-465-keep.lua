-- Implicit TLS on 465: the attacker impersonates the server with an
-- expired certificate and keeps the mail.
return {
  title  = "Submission with implicit TLS on 465: expired certificate, attacker keeps the mail",
  refs   = { "RFC 8314 3.3", "RFC 5280 4.1.2.5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 465, tls = "implicit" },
  attack = { { "swap_cert", host = "mx1.example.test", port = 465, cert = "expired", relay = false } },
  expect = { delivery = "refused", leak = false },
}
