-- CONFORMANCE G62: enforce; STARTTLS stripped on the only MX: defer, no
-- plaintext.
return {
  title  = "MTA-STS enforce: STARTTLS stripped",
  refs   = { "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "g1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
