-- CONFORMANCE L133: the submission server does not list REQUIRETLS inside
-- TLS: the MUA must not submit the require-TLS message.
return {
  title   = "REQUIRETLS: submission server without REQUIRETLS",
  refs    = { "RFC 8689 4.3", "CONFORMANCE L133" },
  domain  = "example.test",
  submit  = { host = "mx1.example.test", port = 587, tls = "starttls" },
  mx      = { { host = "mx1.example.test", pref = 10, requiretls = false } },
  message = { requiretls = true },
  expect  = { delivery = "refused" },
}
