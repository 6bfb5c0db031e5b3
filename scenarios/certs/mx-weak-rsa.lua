-- No attacker: the MX's own certificate is "weak-rsa" (core/pki.h):
-- below 112-bit security: rejected at OpenSSL security level 2 (Debian's default).
return {
  title  = "MX certificate with an RSA 1024 key",
  refs   = { "RFC 8461 4.1", "NIST SP 800-131A" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "weak-rsa" } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" } },
}
