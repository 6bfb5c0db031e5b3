-- No attacker: the MX's own certificate is "bad-signature" (core/pki.h):
-- the issuer's signature no longer covers the key.
return {
  title  = "MX certificate whose public key was replaced after signing",
  refs   = { "RFC 5280 6.1.3", "RFC 8460 4.3.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "bad-signature" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" } },
}
