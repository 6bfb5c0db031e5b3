-- The certificate names another host; under DANE-EE names are not
-- checked, so this delivers (contrast ta-name-mismatch).
return {
  title  = "DANE-EE with a certificate for another host: must deliver",
  refs   = { "RFC 7672 3.2.1", "CONFORMANCE I90", "CONFORMANCE I94" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "wrong-host" } },
  tlsa   = { ["mx1.example.test"] = { "3 1 2 auto" } },
  expect = { delivery = "verified" },
}
