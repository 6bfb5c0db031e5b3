-- No attacker: the MX's own certificate is "wrong-chain-order" (core/pki.h):
-- root -> CA 1 -> CA 2 -> leaf, served CA 1, CA 2 instead of CA 2, CA 1; TLS 1.3 lets clients build the path from any order (and OpenSSL does), so a robust sender delivers.
return {
  title  = "MX serves its intermediates in the wrong order",
  refs   = { "RFC 8446 4.4.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "wrong-chain-order" } },
  expect = { delivery = "verified" },
}
