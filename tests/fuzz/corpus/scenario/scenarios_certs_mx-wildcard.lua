-- A wildcard certificate covers one label: *.example.test matches
-- mx1.example.test.
return {
  title  = "MX presents a wildcard certificate (*.example.test)",
  refs   = { "RFC 6125 6.4.3" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10,
               cert = { variant = "custom", san = { "*.example.test" } } } },
  expect = { delivery = "verified" },
}
