-- expect: dns-fault-name.lua:9: dns_faults[1].name: "bad name!" is not a domain name
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  dns_faults = {
    { name = "bad name!", fault = "servfail" },
  },
  expect = { delivery = "verified" },
}
