-- expect: zones-root.lua:9: zones.test: the zones
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  zones = {
    ["test"] = "insecure",
  },
  expect = { delivery = "verified" },
}
