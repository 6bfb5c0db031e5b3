-- expect: dns-attack-no-host.lua:9: attack[1].host: missing required field
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "spoof_a", data = "127.66.0.1" },
  },
  expect = { delivery = "verified" },
}
