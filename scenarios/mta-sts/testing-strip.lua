-- weak-exempt: testing mode must not block; a sender that enforces it refuses.
-- CONFORMANCE G72: testing mode; STARTTLS stripped: delivery goes on
-- (plaintext allowed) and is reported (starttls-not-supported).
return {
  title  = "MTA-STS testing: STARTTLS stripped, delivered and reported",
  refs   = { "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "testing", id = "t1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext", tlsrpt = { "starttls-not-supported" } },
}
