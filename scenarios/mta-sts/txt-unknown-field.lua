-- CONFORMANCE B19: unknown fields in the TXT record are ignored: the policy
-- applies.
return {
  title  = "MTA-STS: _mta-sts TXT record with an extension field",
  refs   = { "RFC 8461 3.1", "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "abc", txt = "v=STSv1; id=abc; ext=1;" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", leak = false },
}
