-- No attacker: the MX's own certificate is "intermediate" (core/pki.h):
-- root -> intermediate CA -> MX certificate: a normal chain.
return {
  title  = "MX certificate issued by an intermediate CA, chain served",
  refs   = { "RFC 5280 6.1", "RFC 8446 4.4.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "intermediate" } },
  expect = { delivery = "verified" },
}
