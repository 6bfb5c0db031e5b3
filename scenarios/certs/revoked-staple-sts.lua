-- The MX presents a certificate its CA has revoked (it is on the root's
-- CRL at http://crl.test/root.crl) and staples the OCSP response that
-- says so.  Under an enforce MTA-STS policy the certificate must be
-- valid (RFC 8461 4.2); a sender that validates it has the revocation in
-- the handshake and must not deliver.
return {
  title   = "Revoked certificate with a stapled OCSP response, MTA-STS enforce",
  refs    = { "RFC 8461 4.2", "RFC 6066 8", "RFC 6960 2.2", "RFC 5280 6.3" },
  domain  = "example.test",
  mx      = { { host = "mx1.example.test", pref = 10,
                cert = { variant = "revoked", staple = true } } },
  mta_sts = { mode = "enforce", mx = { "mx1.example.test" }, id = "rv1" },
  expect  = { delivery = "refused" },
}
