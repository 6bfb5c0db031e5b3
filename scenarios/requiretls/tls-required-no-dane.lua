-- CONFORMANCE L131 with DANE: a secure TLSA RRset that mx1's certificate
-- does not match.  With "TLS-Required: No" DANE is not applied: the
-- sender uses STARTTLS and delivers anyway.
return {
  title   = "TLS-Required: No: DANE mismatch ignored, delivered over TLS",
  refs    = { "RFC 8689 4.2.2", "CONFORMANCE L131" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  tlsa    = { ["mx1.example.test"] = { "3 1 1 0000000000000000000000000000000000000000000000000000000000000000" } },
  message = { tls_required_no = true },
  expect  = { delivery = "tls" },
}
