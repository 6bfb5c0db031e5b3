-- Only PKIX-TA/PKIX-EE records, unusable for SMTP: TLS is still
-- mandatory but not authenticated, so a self-signed certificate is fine.
return {
  title  = "Only unusable (PKIX) TLSA records: TLS without authentication",
  refs   = { "RFC 7672 2.2", "RFC 7672 3.1.3", "CONFORMANCE I101" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  tlsa   = { ["mx1.example.test"] = { "0 0 1 ca", "1 1 1 auto" } },
  expect = { delivery = "verified" },
}
