-- No attacker: the MX's own certificate is "leaf-as-ca" (core/pki.h):
-- root -> leaf (not a CA) -> MX certificate, served with the leaf.
return {
  title  = "MX certificate issued by a leaf certificate (CA:FALSE) used as a CA",
  refs   = { "RFC 5280 4.2.1.9", "RFC 5280 6.1.4" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "leaf-as-ca" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" } },
}
