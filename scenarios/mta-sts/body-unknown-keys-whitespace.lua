-- CONFORMANCE D43, D44: an unknown key, no space after a colon, trailing
-- spaces: all accepted, the enforce policy applies.
return {
  title  = "MTA-STS: unknown keys and odd white space in the policy",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { id = "u1", body = "version: STSv1\r\nfoo_bar: baz\r\nmode:enforce\r\nmx: mx1.example.test  \r\nmax_age: 86400\t\r\n" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", leak = false },
}
