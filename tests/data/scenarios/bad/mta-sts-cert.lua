-- expect: mta-sts-cert.lua:7: mta_sts.cert: bad value "stolen"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { cert = "stolen" },
  expect = { delivery = "verified" },
}
