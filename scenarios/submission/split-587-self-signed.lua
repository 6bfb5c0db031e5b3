-- Submission on 587 with STARTTLS required: the attacker answers
-- STARTTLS with a self-signed certificate and relays the submission to
-- the MX in clear text (tls_split sender-tls).
return {
  title  = "Submission on 587: TLS split, self-signed certificate to the client, clear text to the server",
  refs   = { "RFC 8314 3.3", "RFC 8314 5.3", "RFC 6125 6" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "starttls" },
  attack = { { "tls_split", host = "mx1.example.test", port = 587, mode = "sender-tls",
               cert = "self-signed" } },
  expect = { delivery = "refused", leak = false, content = "protected" },
}
