-- Implicit TLS on 465 with credentials: the attacker answers the TLS
-- handshake with a certificate for its own name (chained to the trusted
-- CA) and runs a server of its own that takes any credentials (AUTH
-- LOGIN) and keeps the mail.  A client that validates the certificate
-- sends nothing; one that does not gives the attacker the password.
return {
  title  = "Submission on 465 with AUTH LOGIN: attacker's certificate, attacker keeps the mail",
  refs   = { "RFC 8314 5.3", "RFC 4954 4", "CONFORMANCE M135" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 465, tls = "implicit",
             auth = { user = "alice", pass = "s3cret", mech = "login" } },
  attack = { { "swap_cert", host = "mx1.example.test", port = 465, cert = "attacker",
               relay = false } },
  expect = { delivery = "refused", leak = false, content = "protected" },
}
