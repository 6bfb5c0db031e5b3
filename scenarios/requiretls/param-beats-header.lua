-- CONFORMANCE L132: REQUIRETLS on MAIL FROM and "TLS-Required: No" in the
-- header.  The parameter wins: with mx1's self-signed certificate the
-- message is not sent.
return {
  title   = "REQUIRETLS beats TLS-Required: No",
  refs    = { "RFC 8689 4.1", "CONFORMANCE L132" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  message = { requiretls = true, tls_required_no = true },
  expect  = { delivery = "refused" },
}
