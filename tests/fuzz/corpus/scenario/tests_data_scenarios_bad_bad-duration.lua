-- expect: bad-duration.lua:9: phases[2].advance: bad duration "2 hours"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "2 hours",
      expect = { delivery = "verified" } },
  },
}
