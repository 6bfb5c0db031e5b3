-- CONFORMANCE L125: no MX lists REQUIRETLS inside TLS.  The message is
-- never sent to the domain; the sender bounces it (5.7.30).
return {
  title   = "REQUIRETLS: no MX supports it, non-delivery",
  refs    = { "RFC 8689 4.2.1", "CONFORMANCE L125" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10, requiretls = false },
              { host = "mx2.example.test", pref = 20, requiretls = false } },
  message = { requiretls = true },
  expect  = { delivery = "refused" },
}
