-- expect: syntax-error.lua:7: '}' expected (to close '{' at line 2) near 'expect'
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } }
  expect = { delivery = "verified" },
}
