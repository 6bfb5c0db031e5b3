-- CONFORMANCE L123 with DANE: the MX is authenticated by a secure TLSA
-- RRset (DANE-EE 3 1 1); REQUIRETLS is offered inside TLS.
return {
  title   = "REQUIRETLS: DANE-authenticated MX",
  refs    = { "RFC 8689 4.2.1", "RFC 7672 3.1.1", "CONFORMANCE L123" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  tlsa    = { ["mx1.example.test"] = { "3 1 1 auto" } },
  message = { requiretls = true },
  expect  = { delivery = "verified" },
}
