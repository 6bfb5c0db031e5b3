-- expect: message-unknown-key.lua:6: message: unknown key "require_tls"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  message = { require_tls = true },
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
