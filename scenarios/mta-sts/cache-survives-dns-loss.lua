-- CONFORMANCE E47: an enforce policy (max_age one week) is cached; then the
-- TXT record is deleted and the policy URL answers 404. The cache stays in
-- force until max_age: no plaintext after the strip.
return {
  title  = "MTA-STS: cached policy survives the loss of the TXT record",
  refs   = { "RFC 8461 5.1", "RFC 8461 10.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "e1", max_age = 604800 },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1d",
      set = { mta_sts = { mode = "enforce", id = "e1", txt = {}, variant = "404" }, attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", leak = false } },
  },
}
