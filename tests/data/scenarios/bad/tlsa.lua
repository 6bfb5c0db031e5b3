-- expect: tlsa.lua:7: tlsa: DANE scenarios need the signed DNS tree (not yet implemented)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsa = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "verified" },
}
