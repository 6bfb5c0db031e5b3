-- expect: mx-requiretls-type.lua:6: mx[1].requiretls: expected true, false, "plaintext" or "both", got number
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test", requiretls = 1 } },
  expect = { delivery = "verified" },
}
