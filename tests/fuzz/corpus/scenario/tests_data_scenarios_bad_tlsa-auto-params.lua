-- expect: tlsa-auto-params.lua:9: tlsa.mx1.example.test[1]: "3 2 1 auto": "auto" needs selector 0 or 1
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  tlsa = {
    ["mx1.example.test"] = { "3 2 1 auto" },
  },
  expect = { delivery = "verified" },
}
