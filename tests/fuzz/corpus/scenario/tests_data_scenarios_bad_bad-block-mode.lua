-- expect: bad-block-mode.lua:9: attack[1].mode: bad value "drop" (allowed: refuse, reset, blackhole)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "block", host = "mx1.example.test",
      mode = "drop" },
  },
  expect = { delivery = "verified" },
}
