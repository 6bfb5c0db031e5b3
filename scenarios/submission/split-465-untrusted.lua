-- Implicit TLS on 465: the attacker takes the client's TLS with a
-- certificate for the right name from a CA the client does not trust,
-- and relays the submission to the server's port 587 in clear text.
return {
  title  = "Submission on 465: TLS split, untrusted-CA certificate, relayed to 587 in clear",
  refs   = { "RFC 8314 3.3", "RFC 8314 5.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 465, tls = "implicit" },
  attack = { { "tls_split", host = "mx1.example.test", port = 465, mode = "sender-tls",
               cert = "untrusted-ca" } },
  expect = { delivery = "refused", leak = false, content = "protected" },
}
