-- CONFORMANCE L123: a message received with MAIL FROM ... REQUIRETLS.  The
-- MX RRset is DNSSEC-validated, mx1's certificate is valid for its name
-- and its EHLO reply inside TLS lists REQUIRETLS: the sender relays the
-- message over that TLS session with REQUIRETLS on MAIL FROM.  A sender
-- without REQUIRETLS drops the parameter: that is a failure.
return {
  title   = "REQUIRETLS: secure MX, valid certificate, REQUIRETLS after STARTTLS",
  refs    = { "RFC 8689 4.2.1", "CONFORMANCE L123" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  message = { requiretls = true },
  expect  = { delivery = "verified" },
}
