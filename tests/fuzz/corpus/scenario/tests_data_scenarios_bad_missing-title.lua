-- expect: missing-title.lua:2: title: missing required field
return {
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
