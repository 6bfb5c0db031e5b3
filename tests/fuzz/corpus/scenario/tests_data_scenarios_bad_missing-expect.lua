-- expect: missing-expect.lua:2: expect: missing required field
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  messages = 2,
}
