-- expect: bad-rua.lua:8: tlsrpt.rua[2]: "ftp://tlsrpt.example.test/": a TLSRPT rua is a mailto: or https: URI
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsrpt = { rua = { "https://tlsrpt.example.test/v1",
                   "ftp://tlsrpt.example.test/" } },
  expect = { delivery = "verified" },
}
