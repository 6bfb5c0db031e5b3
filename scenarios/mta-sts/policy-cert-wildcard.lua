-- CONFORMANCE C29: the policy host presents a certificate for
-- *.example.test: accepted, the policy applies and the stripped MX is not
-- used.
return {
  title  = "MTA-STS: wildcard certificate on the policy host",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", cert = { san = { "*.example.test" } } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", leak = false },
}
