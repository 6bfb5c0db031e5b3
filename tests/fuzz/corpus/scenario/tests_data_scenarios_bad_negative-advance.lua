-- expect: negative-advance.lua:8: phases[1].advance: must be at least 0 seconds, got -5
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  phases = {
    { advance = -5, expect = { delivery = "verified" } },
  },
}
