-- Submission on 587 with STARTTLS required: the attacker hides STARTTLS
-- from the client and speaks TLS to the server itself (tls_split mx-tls).
return {
  title  = "Submission on 587: TLS split, client kept in clear text, TLS to the server",
  refs   = { "RFC 8314 3.3", "RFC 8314 5.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "starttls" },
  attack = { { "tls_split", host = "mx1.example.test", port = 587, mode = "mx-tls" } },
  expect = { delivery = "refused", leak = false, content = "protected" },
}
