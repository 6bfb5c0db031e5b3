-- expect: tlsa-not-mx.lua:7: tlsa: "mx2.example.test" is not an MX host of this scenario (MX hosts: mx1.example.test)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsa = { ["mx1.example.test"] = { "3 1 1 auto" }, ["MX2.example.test"] = { "2 0 1 ca" } },
  expect = { delivery = "verified" },
}
