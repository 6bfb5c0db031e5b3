-- expect: bad-type.lua:9: mx[2].pref: expected integer, got string
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = {
    { host = "mx1.example.test" },
    { host = "mx2.example.test",
      pref = "20" },
  },
  expect = { delivery = "verified" },
}
