-- expect: expect-with-phases.lua:10: expect: with phases, each phase has its own expect
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
  },
  expect = { delivery = "verified" },
}
