-- expect: tlsa-set-not-mx.lua:10: phases[2].set: tlsa names "mx1.example.test", which is not an MX host in this phase (MX hosts: mx2.example.test)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  tlsa = { ["mx1.example.test"] = { "3 1 1 auto" } },
  phases = {
    { expect = { delivery = "verified" } },
    { set = { mx = { { host = "mx2.example.test" } } },
      expect = { delivery = "verified" } },
  },
}
