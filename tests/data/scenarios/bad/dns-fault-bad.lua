-- expect: dns-fault-bad.lua:9: dns_faults[1].fault: bad value "refused"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", type = "TLSA", fault = "refused" },
  },
  expect = { delivery = "verified" },
}
