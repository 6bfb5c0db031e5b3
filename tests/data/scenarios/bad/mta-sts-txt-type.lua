-- expect: mta-sts-txt-type.lua:7: mta_sts.txt: expected a TXT string or a list of records
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { txt = 5 },
  expect = { delivery = "verified" },
}
