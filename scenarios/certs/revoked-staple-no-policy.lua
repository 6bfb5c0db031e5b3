-- No MTA-STS, no DANE: opportunistic TLS (RFC 7435).  The stapled
-- response says the certificate is revoked, which makes the session
-- unauthenticated, not unusable: the sender delivers over TLS.
return {
  title   = "Revoked certificate with a stapled OCSP response, no policy",
  refs    = { "RFC 7435 3", "RFC 3207 4.1", "RFC 6066 8" },
  domain  = "example.test",
  mx      = { { host = "mx1.example.test", pref = 10,
                cert = { variant = "revoked", staple = true } } },
  expect  = { delivery = "tls" },
}
