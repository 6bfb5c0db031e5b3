-- expect: tlsa.lua:8: tlsa.mx1.example.test[2]: "3 1 1 0xab": bad character 'x' in the association data
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsa = { ["mx1.example.test"] = { "3 1 1 auto",
                                    "3 1 1 0xab" } },
  expect = { delivery = "verified" },
}
