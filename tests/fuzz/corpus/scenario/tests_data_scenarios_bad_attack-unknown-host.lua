-- expect: attack-unknown-host.lua:9: attack[1].host: "mx9.example.test" is not an MX host of this scenario (MX hosts: mx1.example.test)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "strip_starttls",
      host = "mx9.example.test" },
  },
  expect = { delivery = "verified" },
}
