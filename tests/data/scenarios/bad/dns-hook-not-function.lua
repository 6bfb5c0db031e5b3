-- expect: dns-hook-not-function.lua:9: attack[1].on_dns_answer: expected a function
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "dns_hook", on_dns_answer = "nope" },
  },
  expect = { delivery = "verified" },
}
