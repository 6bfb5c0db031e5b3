-- expect: missing-phase-expect.lua:9: phases[2].expect: missing required field
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      deliver = 2 },
  },
}
