-- expect: tamper-policy-mode.lua:8: attack[1].mode: bad value "steal" (allowed: block, replace, none, testing, cert)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { mode = "enforce" },
  attack = { { "tamper_policy", mode = "steal" } },
  expect = { delivery = "verified" },
}
