-- expect: tlsrpt-empty.lua:7: tlsrpt.rua: missing required field
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsrpt = { },
  expect = { delivery = "verified" },
}
