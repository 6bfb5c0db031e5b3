-- expect: cert-staple-type.lua:6: mx[1].cert.staple: expected boolean
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test", cert = { variant = "revoked", staple = "yes" } } },
  expect = { delivery = "verified" },
}
