-- expect: cert-custom-field.lua:9: mx[1].cert.san: only a "custom" certificate takes this field (this one is "expired")
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test",
           cert = {
             variant = "expired",
             san = { "mx1.example.test" },
           } } },
  expect = { delivery = "verified" },
}
