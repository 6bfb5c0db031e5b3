-- expect: bad-tlsrpt-type.lua:8: expect.tlsrpt[1]: bad value "starttls-stripped" (allowed: starttls-not-supported, certificate-host-mismatch
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  expect = { delivery = "refused",
             tlsrpt = { "starttls-stripped" } },
}
