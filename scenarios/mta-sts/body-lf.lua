-- CONFORMANCE D36: a policy with bare LF line ends is valid: the policy
-- applies.
return {
  title  = "MTA-STS: policy with LF line endings",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "l1", variant = "lf" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", leak = false },
}
