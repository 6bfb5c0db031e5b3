-- CONFORMANCE L124: mx1 lists REQUIRETLS in its EHLO reply before
-- STARTTLS but not inside TLS.  Only the post-TLS EHLO counts: the
-- sender treats REQUIRETLS as unsupported, sends QUIT and bounces.
return {
  title   = "REQUIRETLS: advertised only before TLS, so unsupported",
  refs    = { "RFC 8689 2", "RFC 8689 4.2.1", "CONFORMANCE L124" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10, requiretls = "plaintext" } },
  message = { requiretls = true },
  expect  = { delivery = "refused" },
}
