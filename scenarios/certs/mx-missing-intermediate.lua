-- No attacker: the MX's own certificate is "missing-intermediate" (core/pki.h):
-- the sender cannot build a path to the root.
return {
  title  = "MX certificate issued by an intermediate CA that is not served",
  refs   = { "RFC 5280 6.1", "RFC 8446 4.4.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "missing-intermediate" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" } },
}
