-- expect: dns-fault-type.lua:9: dns_faults[1].type: unknown record type "TSLA"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", type = "TSLA", fault = "servfail" },
  },
  expect = { delivery = "verified" },
}
