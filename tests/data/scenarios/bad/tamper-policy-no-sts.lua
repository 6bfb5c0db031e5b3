-- expect: tamper-policy-no-sts.lua:7: attack[1]: tamper_policy needs a policy host: give mta_sts
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = { { "tamper_policy" } },
  expect = { delivery = "verified" },
}
