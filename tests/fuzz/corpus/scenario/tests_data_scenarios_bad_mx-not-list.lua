-- expect: mx-not-list.lua:7: mx: expected a list { ... }, got a table with key "host"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = {
    host = "mx1.example.test",
  },
  expect = { delivery = "verified" },
}
