-- CONFORMANCE L131: the message says "TLS-Required: No"; the domain has
-- an enforce MTA-STS policy but mx1 presents a self-signed certificate.
-- The sender still uses STARTTLS, ignores the MTA-STS failure and
-- delivers over that TLS session.
return {
  title   = "TLS-Required: No: enforce MTA-STS failure ignored, delivered over TLS",
  refs    = { "RFC 8689 4.2.2", "RFC 8689 3", "CONFORMANCE L131" },
  domain  = "example.test",
  mx      = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  mta_sts = { mode = "enforce", mx = { "mx1.example.test" }, id = "n1" },
  message = { tls_required_no = true },
  expect  = { delivery = "tls" },
}
