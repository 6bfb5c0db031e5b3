-- expect: missing-mx-host.lua:8: mx[2].host: missing required field
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = {
    { host = "mx1.example.test" },
    { pref = 20,
      cert = "valid" },
  },
  expect = { delivery = "verified" },
}
