-- expect: tamper-policy-replace.lua:8: attack[1].text: mode "replace" needs text
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { mode = "enforce" },
  attack = { { "tamper_policy", mode = "replace" } },
  expect = { delivery = "verified" },
}
