-- The TLSA record does not match mx1's key, although mx1 presents a
-- certificate any PKIX check accepts.  PKIX does not rescue a TLSA
-- mismatch: no delivery.
return {
  title  = "DANE-EE: TLSA does not match, PKIX-valid certificate",
  refs   = { "RFC 7672 3.2", "RFC 7672 9.1", "RFC 6698 4.1", "CONFORMANCE I91" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = {
    "3 1 1 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a" } },
  expect = { delivery = "refused", tlsrpt = { "tlsa-invalid" } },
}
