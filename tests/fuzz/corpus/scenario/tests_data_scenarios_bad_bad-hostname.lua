-- expect: bad-hostname.lua:6: mx[1].host: "mx1.example.test." is not a valid host name
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test." } },
  expect = { delivery = "verified" },
}
