-- expect: attack-wrong-param.lua:9: attack[1].cert: strip_starttls takes no cert (its parameters: host, port, nth, after_verified)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "strip_starttls", host = "mx1.example.test",
      cert = "expired" },
  },
  expect = { delivery = "verified" },
}
