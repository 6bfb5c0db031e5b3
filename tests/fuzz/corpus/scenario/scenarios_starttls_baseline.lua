-- No attacker: the sender must use STARTTLS and deliver over verified TLS.
return {
  title  = "Baseline: STARTTLS offered, valid certificate, no attacker",
  refs   = { "RFC 3207 4", "RFC 3207 4.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  messages = 2,
  expect = { delivery = "verified", leak = false },
}
