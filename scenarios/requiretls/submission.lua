-- CONFORMANCE L133: a mail user agent submits a require-TLS message: it
-- negotiates STARTTLS on 587, confirms REQUIRETLS in the post-TLS EHLO
-- reply and sends MAIL FROM with REQUIRETLS.
return {
  title   = "REQUIRETLS: submission client (MUA) on 587",
  refs    = { "RFC 8689 4.3", "RFC 8314", "CONFORMANCE L133" },
  domain  = "example.test",
  submit  = { host = "mx1.example.test", port = 587, tls = "starttls" },
  message = { requiretls = true },
  expect  = { delivery = "verified" },
}
