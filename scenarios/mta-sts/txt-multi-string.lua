-- CONFORMANCE B18: one TXT record of two character-strings, joined without a
-- space, is a valid record: the policy applies.
return {
  title  = "MTA-STS: multi-string _mta-sts TXT record",
  refs   = { "RFC 8461 3.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "abc123", txt = { { "v=STSv1; ", "id=abc123" } } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", leak = false },
}
