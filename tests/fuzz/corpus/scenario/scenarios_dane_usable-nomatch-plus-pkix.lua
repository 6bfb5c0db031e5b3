-- A usable DANE-EE record that does not match, beside a PKIX-TA record
-- (unusable for SMTP): authentication is required against the usable
-- record, and fails.
return {
  title  = "Usable TLSA record without a match, plus an unusable PKIX-TA record",
  refs   = { "RFC 7672 3.1.3", "RFC 6698 4.1", "CONFORMANCE I103" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = {
    "3 1 1 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
    "0 0 1 ca" } },
  expect = { delivery = "refused", tlsrpt = { "tlsa-invalid" } },
}
