-- No attacker: the MX's own certificate is "sha1" (core/pki.h):
-- a SHA-1 signature is below 112-bit security: rejected at OpenSSL security level 2.
return {
  title  = "MX certificate signed with SHA-1",
  refs   = { "RFC 8461 4.1", "RFC 9155" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "sha1" } },
  expect = { delivery = "refused", tlsrpt = { "validation-failure" } },
}
