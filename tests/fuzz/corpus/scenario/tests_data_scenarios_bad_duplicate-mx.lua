-- expect: duplicate-mx.lua:8: mx[2].host: duplicate MX host "MX1.example.test" (also mx[1])
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = {
    { host = "mx1.example.test" },
    { host = "MX1.example.test" },
  },
  expect = { delivery = "verified" },
}
