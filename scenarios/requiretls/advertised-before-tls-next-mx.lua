-- CONFORMANCE L124: mx1 lists REQUIRETLS only before STARTTLS; mx2 lists
-- it inside TLS.  The sender leaves mx1 (QUIT) and relays through mx2.
return {
  title   = "REQUIRETLS: first MX offers it only in clear, the second inside TLS",
  refs    = { "RFC 8689 4.2.1", "CONFORMANCE L124" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10, requiretls = "plaintext" },
              { host = "mx2.example.test", pref = 20 } },
  message = { requiretls = true },
  expect  = { delivery = "verified" },
}
