-- CONFORMANCE L128: C-self without DANE: the certificate is not valid for
-- the MX host by PKIX, so the REQUIRETLS message is not sent.
return {
  title   = "REQUIRETLS: self-signed certificate, no DANE",
  refs    = { "RFC 8689 2", "RFC 8689 4.2.1", "CONFORMANCE L128" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  message = { requiretls = true },
  expect  = { delivery = "refused" },
}
