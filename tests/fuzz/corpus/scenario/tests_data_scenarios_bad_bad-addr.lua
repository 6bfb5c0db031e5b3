-- expect: bad-addr.lua:6: mx[1].addr: "10.0.0.1" is not an IPv4 address in 127.0.0.0/8
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test", addr = "10.0.0.1" } },
  expect = { delivery = "verified" },
}
