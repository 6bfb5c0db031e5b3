-- expect: missing-domain.lua:3: domain: missing required field

return {
  title = "x",
  refs = {},
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
