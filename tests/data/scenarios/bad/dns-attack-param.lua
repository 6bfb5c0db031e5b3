-- expect: dns-attack-param.lua:9: attack[1]: unknown key "port"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "poison_tlsa", host = "mx1.example.test", port = 25 },
  },
  expect = { delivery = "verified" },
}
