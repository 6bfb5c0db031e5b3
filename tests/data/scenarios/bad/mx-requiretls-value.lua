-- expect: mx-requiretls-value.lua:6: mx[1].requiretls: bad value
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test", requiretls = "before" } },
  expect = { delivery = "verified" },
}
