-- CONFORMANCE N, O: mx1's TLSA lookup fails (SERVFAIL in a signed zone),
-- mx2 has a matching DANE-EE record.  The sender skips mx1, delivers
-- through mx2, and its own TLSRPT report says dnssec-invalid for mx1
-- under policy-type tlsa (policy-domain: the TLSA base domain, mx1).
return {
  title  = "TLSRPT: the sender reports its failed TLSA lookup as dnssec-invalid",
  refs   = { "RFC 8460 4.3.2.1", "RFC 7672 2.1.1" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" },
             ["mx2.example.test"] = { "3 1 1 auto" } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", type = "TLSA", fault = "servfail" },
  },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified", tlsrpt = { "dnssec-invalid" } },
}
