-- Submission on 587 with TLS optional for the message, AUTH offered before
-- STARTTLS, STARTTLS stripped: even where clear text is allowed for the
-- mail, the credentials never go in clear text (RFC 8314 5.2), so the
-- client does not submit.  A client that authenticates in clear text
-- hands the attacker the credentials.
return {
  title  = "Submission on 587, TLS optional: STARTTLS stripped, credentials never in clear",
  refs   = { "RFC 8314 5.2", "RFC 4954 4", "CONFORMANCE M136" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test" } },
  submit = { host = "mx1.example.test", port = 587, tls = "optional",
             auth = { user = "alice", pass = "s3cret", mech = "plain" } },
  attack = { { "strip_starttls", host = "mx1.example.test", port = 587 } },
  expect = { delivery = "refused", leak = false, content = "protected" },
}
