-- expect: submit-port-mismatch.lua:7: submit.port: implicit TLS is served on port 465 only
return {
  title = "x",
  refs = {},
  domain = "example.test",
  submit = { host = "mx1.example.test", tls = "implicit",
             port = 587 },
  expect = { delivery = "verified" },
}
