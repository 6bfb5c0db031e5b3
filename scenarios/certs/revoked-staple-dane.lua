-- DANE-EE(3) SPKI(1) SHA2-256(1) pins the MX's key: PKIX, and with it
-- revocation, does not apply (RFC 7671 5.1).  The stapled "revoked" OCSP
-- response changes nothing: the sender delivers, authenticated by DANE.
return {
  title   = "Revoked certificate with a stapled OCSP response, DANE-EE 3 1 1",
  refs    = { "RFC 7671 5.1", "RFC 7672 3.1.1", "RFC 6066 8" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10,
                cert = { variant = "revoked", staple = true } } },
  tlsa    = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect  = { delivery = "verified" },
}
