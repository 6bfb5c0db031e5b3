-- CONFORMANCE D42: two mx lines, mx1.example.test and *.backup.test; mx1
-- refuses connections, mx2.backup.test is healthy: both patterns apply, so
-- the message goes to mx2 over verified TLS.
return {
  title  = "MTA-STS: several mx lines all apply",
  refs   = { "RFC 8461 3.2", "RFC 8461 4.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10 }, { host = "mx2.backup.test", pref = 20 } },
  mta_sts = { mode = "enforce", id = "x1", mx = { "mx1.example.test", "*.backup.test" } },
  attack = { { "block", host = "mx1.example.test", mode = "refuse" } },
  expect = { delivery = "verified" },
}
