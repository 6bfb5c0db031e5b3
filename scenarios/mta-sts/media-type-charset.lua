-- CONFORMANCE C30: text/plain; charset=utf-8 is text/plain: the policy
-- applies.
return {
  title  = "MTA-STS: policy served as text/plain with a charset parameter",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "m1", variant = "charset" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", leak = false },
}
