-- weak-exempt: the policy must NOT apply; a sender that accepts the record refuses.
-- CONFORMANCE B16: a record that does not begin with v=STSv1 is discarded:
-- no policy, plaintext after the strip is what a compliant sender does.
return {
  title  = "MTA-STS: TXT record not beginning with the version",
  refs   = { "RFC 8461 3.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", txt = "id=abc; v=STSv1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
