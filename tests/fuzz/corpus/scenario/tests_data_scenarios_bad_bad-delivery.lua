-- expect: bad-delivery.lua:7: expect.delivery: bad value "delivered" (allowed: verified, tls, plaintext, refused)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "delivered" },
}
