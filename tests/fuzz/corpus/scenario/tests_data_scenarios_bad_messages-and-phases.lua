-- expect: messages-and-phases.lua:8: phases: messages and phases are exclusive
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  messages = 2,
  phases = {
    { expect = { delivery = "verified" } },
  },
}
