-- expect: mta-sts-id-space.lua:7: mta_sts.id: an id goes into the TXT record
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { id = "a b" },
  expect = { delivery = "verified" },
}
