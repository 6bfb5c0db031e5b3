-- expect: message-not-bool.lua:7: message.requiretls: expected boolean
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  message = { requiretls = "yes" },
  expect = { delivery = "verified" },
}
