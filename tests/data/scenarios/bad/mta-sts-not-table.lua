-- expect: mta-sts-not-table.lua:7: mta_sts: expected a table
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = "enforce",
  expect = { delivery = "verified" },
}
