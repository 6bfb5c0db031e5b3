-- expect: mta-sts-max-age.lua:8: mta_sts.max_age: -5 is out of range
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { mode = "enforce",
              max_age = -5 },
  expect = { delivery = "verified" },
}
