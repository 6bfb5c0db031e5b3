-- expect: dnssec-secure.lua:6: dnssec: "secure" zones need the signed DNS tree (not yet implemented
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
