-- Submission without an mx list: the submit host is the one MX.
return {
  title = "Implicit TLS submission",
  refs = { "RFC 8314 3.3" },
  domain = "example.test",
  submit = { host = "mx1.example.test", tls = "implicit" },
  timeout = 600,
  expect = { delivery = "verified" },
}
