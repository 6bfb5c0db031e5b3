-- CONFORMANCE D46: an enforce policy is cached; then the id changes and the
-- new body is invalid. The cached policy stays in force: no plaintext after
-- the strip.
return {
  title  = "MTA-STS: an invalid new policy keeps the cached one",
  refs   = { "RFC 8461 3.3", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "v1" },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { mta_sts = { id = "v2", body = "version: STSv1\r\nmode: Enforce\r\nmax_age: 86400\r\n" },
              attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", leak = false } },
  },
}
