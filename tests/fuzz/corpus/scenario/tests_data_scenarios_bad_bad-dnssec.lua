-- expect: bad-dnssec.lua:6: dnssec: bad value "signed" (allowed: insecure, secure, bogus, bogus:signature, bogus:wrong-key
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "signed",
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
