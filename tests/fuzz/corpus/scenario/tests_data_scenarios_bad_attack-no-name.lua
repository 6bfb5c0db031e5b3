-- expect: attack-no-name.lua:8: attack[1]: the first element must be the attack name
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { host = "mx1.example.test" },
  },
  expect = { delivery = "verified" },
}
