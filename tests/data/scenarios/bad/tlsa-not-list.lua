-- expect: tlsa-not-list.lua:7: tlsa.mx1.example.test: expected a list of TLSA records such as { "3 1 1 auto" }, got string
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsa = { ["mx1.example.test"] = "3 1 1 auto" },
  expect = { delivery = "verified" },
}
