-- Submission on 587 with credentials: STARTTLS, then AUTH PLAIN inside
-- TLS (RFC 4954, RFC 8314 5.2), then the message.  The server offers
-- AUTH before STARTTLS too (as Postfix with smtpd_tls_auth_only = no);
-- a client must ignore that and authenticate only after TLS.
return {
  title  = "Submission on 587 with AUTH after STARTTLS, no attacker",
  refs   = { "RFC 4954 4", "RFC 8314 5.2", "RFC 3207 4.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "starttls",
             auth = { user = "alice", pass = "s3cret" } },
  expect = { delivery = "verified", leak = false, content = "protected" },
}
