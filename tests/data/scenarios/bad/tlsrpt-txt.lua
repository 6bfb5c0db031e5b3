-- expect: tlsrpt-txt.lua:7: tlsrpt.txt: expected a TXT string or a list of records
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsrpt = { txt = true },
  expect = { delivery = "verified" },
}
