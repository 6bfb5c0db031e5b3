-- expect: bad-clock.lua:6: clock: bad clock "2026-02-30T00:00:00Z"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  clock = "2026-02-30T00:00:00Z",
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
