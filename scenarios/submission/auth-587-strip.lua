-- Submission on 587, AUTH offered before STARTTLS, and the attacker
-- strips STARTTLS: a client that requires TLS gives up before sending
-- anything; one that falls back to clear text authenticates there, and
-- the attacker reads the credentials (a credential leak).
return {
  title  = "Submission on 587: STARTTLS stripped, AUTH offered in clear text",
  refs   = { "RFC 8314 5.2", "RFC 4954 4", "CONFORMANCE M136" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "starttls",
             auth = { user = "alice", pass = "s3cret" } },
  attack = { { "strip_starttls", host = "mx1.example.test", port = 587 } },
  expect = { delivery = "refused", leak = false, content = "protected" },
}
