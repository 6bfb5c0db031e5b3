-- weak-exempt: testing mode must not block; a sender that takes the last mode refuses.
-- CONFORMANCE D41: mode: testing, then later mode: enforce: the first wins,
-- so testing mode, and the stripped session may go on in plaintext.
return {
  title  = "MTA-STS: duplicate mode field, the first counts",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { id = "d1", body = "version: STSv1\r\nmode: testing\r\nmx: mx1.example.test\r\nmax_age: 86400\r\nmode: enforce\r\n" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
