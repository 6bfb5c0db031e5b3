-- expect: mta-sts.lua:7: mta_sts: MTA-STS scenarios need the policy HTTPS server (not yet implemented)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { mode = "enforce", mx = { "mx1.example.test" },
              max_age = 604800, id = "20260101" },
  expect = { delivery = "verified" },
}
