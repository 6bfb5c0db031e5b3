-- expect: dns-fault-cname-type.lua:10: dns_faults[1].fault: a CNAME stands for every type
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", type = "TLSA",
      fault = "cname:x.example.test" },
  },
  expect = { delivery = "verified" },
}
