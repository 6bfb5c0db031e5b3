-- Signed zones, but no TLSA RRset for mx1 (a secure denial): DANE does
-- not apply, and the sender goes on as a pre-DANE sender does, in
-- plaintext when the MX offers no STARTTLS.  Deferring would be wrong.
return {
  title  = "Secure \"no TLSA\" answer: opportunistic, plaintext allowed",
  refs   = { "RFC 7672 2.1.1", "RFC 7672 2.2", "CONFORMANCE H80" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, ehlo = { "PIPELINING", "8BITMIME" } } },
  expect = { delivery = "plaintext" },
}
