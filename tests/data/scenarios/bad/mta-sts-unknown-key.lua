-- expect: mta-sts-unknown-key.lua:7: mta_sts: unknown key "modus"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { modus = "enforce" },
  expect = { delivery = "verified" },
}
