-- weak-exempt: mode none must not block.
-- CONFORMANCE G73: mode none; STARTTLS stripped: as if there were no policy.
return {
  title  = "MTA-STS mode none: STARTTLS stripped",
  refs   = { "RFC 8461 5", "RFC 8461 6" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "none", id = "n1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
