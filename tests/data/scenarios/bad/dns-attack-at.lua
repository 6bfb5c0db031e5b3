-- expect: dns-attack-at.lua:9: attack[1].at: bad value "sender"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "strip_dnssec", at = "sender" },
  },
  expect = { delivery = "verified" },
}
