-- CONFORMANCE L127: unsigned MX RRset and no MTA-STS policy: nothing
-- authenticates the MX name, so the REQUIRETLS message is not sent even
-- though mx1 has a valid certificate and offers REQUIRETLS.
return {
  title   = "REQUIRETLS: MX not validated (unsigned zone, no MTA-STS)",
  refs    = { "RFC 8689 4.2.1", "CONFORMANCE L127" },
  domain  = "example.test",
  dnssec  = "insecure",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  message = { requiretls = true },
  expect  = { delivery = "refused" },
}
