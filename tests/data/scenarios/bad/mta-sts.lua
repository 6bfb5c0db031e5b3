-- expect: mta-sts.lua:7: mta_sts.variant: bad value "teapot" (allowed: ok, content-type,
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { mode = "enforce", variant = "teapot" },
  expect = { delivery = "verified" },
}
