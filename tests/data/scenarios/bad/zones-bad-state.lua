-- expect: zones-bad-state.lua:9: zones.other.test: bad value "unsigned"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  zones = {
    ["other.test"] = "unsigned",
  },
  expect = { delivery = "verified" },
}
