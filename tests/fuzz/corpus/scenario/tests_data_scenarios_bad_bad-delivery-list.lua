-- expect: bad-delivery-list.lua:10: expect.delivery[2]: bad value "bounced" (allowed: verified, tls, plaintext, refused)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  expect = {
    delivery = {
      "plaintext",
      "bounced",
    },
  },
}
