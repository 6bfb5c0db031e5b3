-- CONFORMANCE D39, ambiguity P10: max_age 99999999 (above the cap, at most
-- 10 digits) is accepted and capped at 31557600: the policy applies.
return {
  title  = "MTA-STS: max_age above the cap is capped, not rejected",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "c1", max_age = 99999999 },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", leak = false },
}
