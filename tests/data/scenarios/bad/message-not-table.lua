-- expect: message-not-table.lua:7: message: expected a message table
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  message = true,
  expect = { delivery = "verified" },
}
