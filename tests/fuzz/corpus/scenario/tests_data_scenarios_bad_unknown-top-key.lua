-- expect: unknown-top-key.lua:6: unknown key "colour" (allowed keys: title, refs, domain
return {
  title = "x",
  refs = {},
  domain = "example.test",
  colour = "red",
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
