-- expect: dns-block-mode.lua:9: attack[1].mode: bad value "refuse"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "block", type = "TLSA", mode = "refuse" },
  },
  expect = { delivery = "verified" },
}
