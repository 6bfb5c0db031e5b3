-- expect: tlsa-key-selector.lua:8: tlsa.mx1.example.test[1]: "3 0 1 key:k1": key:ID data is a public key
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  tlsa = { ["mx1.example.test"] = { "3 0 1 key:k1" } },
  expect = { delivery = "verified" },
}
