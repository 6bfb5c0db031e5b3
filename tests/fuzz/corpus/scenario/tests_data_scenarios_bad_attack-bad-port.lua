-- expect: attack-bad-port.lua:8: attack[1].port: the attacker sits on ports 25, 465 and 587
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "block", host = "mx1.example.test", port = 80 },
  },
  expect = { delivery = "verified" },
}
