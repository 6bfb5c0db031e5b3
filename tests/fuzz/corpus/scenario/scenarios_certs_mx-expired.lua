-- No attacker: the MX's own certificate has expired.
return {
  title  = "MX presents an expired certificate",
  refs   = { "RFC 5280 4.1.2.5", "RFC 8460 4.3.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "expired" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-expired" } },
}
