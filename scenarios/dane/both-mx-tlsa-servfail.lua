-- Both MX hosts are in a signed zone, but their TLSA lookups fail
-- (SERVFAIL).  A lookup error is not a denial: neither MX may be used,
-- and the message is deferred.  (Lee et al., USENIX Security 2020, and
-- Exim's DANE tests: "both MXes with failing TLSA lookups".)
return {
  title  = "TLSA lookups of both MX hosts fail: defer",
  refs   = { "RFC 7672 2.1.2", "CONFORMANCE H79" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 },
             { host = "mx2.example.test", pref = 20 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" },
             ["mx2.example.test"] = { "3 1 1 auto" } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", type = "TLSA", fault = "servfail" },
    { name = "_25._tcp.mx2.example.test", type = "TLSA", fault = "servfail" },
  },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
