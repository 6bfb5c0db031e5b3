-- expect: unknown-expect-key.lua:9: expect: unknown key "leaks" (allowed keys: delivery, tlsrpt, leak, fetches, content, reports)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  expect = {
    delivery = "verified",
    leaks = false,
  },
}
