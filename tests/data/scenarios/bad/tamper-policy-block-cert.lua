-- expect: tamper-policy-block-cert.lua:8: attack[1].cert: mode "block" serves nothing
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { mode = "enforce" },
  attack = { { "tamper_policy", cert = "valid" } },
  expect = { delivery = "verified" },
}
