-- expect: submit-not-mx.lua:8: submit.host: "smtp.example.test" is not an MX host of this scenario (MX hosts: mx1.example.test)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  submit = {
    host = "smtp.example.test",
    port = 587 },
  expect = { delivery = "verified" },
}
