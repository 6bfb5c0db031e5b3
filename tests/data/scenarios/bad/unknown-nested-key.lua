-- expect: unknown-nested-key.lua:8: mx[1]: unknown key "prefs" (allowed keys: host, pref, cert, addr, replies, ehlo, requiretls, tls)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = {
    { host = "mx1.example.test",
      prefs = 10 },
  },
  expect = { delivery = "verified" },
}
