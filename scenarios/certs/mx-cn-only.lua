-- No attacker: the MX's own certificate is "cn-only" (core/pki.h):
-- no subjectAltName: RFC 6125 senders must not fall back to the CN.
return {
  title  = "MX certificate with the host name only in the subject CN",
  refs   = { "RFC 6125 6.4.4", "RFC 8461 4.1" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "cn-only" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" } },
}
