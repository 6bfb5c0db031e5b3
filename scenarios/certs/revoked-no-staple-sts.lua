-- A revoked certificate without a staple, MTA-STS enforce: only a sender
-- that fetches the CRL named in the certificate (http://crl.test/root.crl,
-- served in the world) can know.  MTAs do not, and RFC 8461 does not ask
-- them to: both outcomes are accepted.
return {
  title   = "Revoked certificate, no staple, MTA-STS enforce (CRL published)",
  refs    = { "RFC 8461 4.2", "RFC 5280 4.2.1.13", "RFC 5280 6.3" },
  domain  = "example.test",
  mx      = { { host = "mx1.example.test", pref = 10, cert = "revoked" } },
  mta_sts = { mode = "enforce", mx = { "mx1.example.test" }, id = "rv2" },
  expect  = { delivery = { "verified", "refused" } },
}
