-- mx1's TLSA record does not match; mx2 has a matching one.  mx1 counts
-- as unreachable and the message goes to mx2, authenticated.
return {
  title  = "DANE-EE: TLSA mismatch on the first MX, next MX delivers",
  refs   = { "RFC 7672 3.2", "RFC 7672 2.2.1", "CONFORMANCE I91" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  tlsa   = {
    ["mx1.example.test"] = {
      "3 1 1 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a" },
    ["mx2.example.test"] = { "3 1 1 auto" },
  },
  expect = { delivery = "verified", tlsrpt = { "tlsa-invalid" } },
}
