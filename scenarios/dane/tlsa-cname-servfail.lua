-- _25._tcp.mx1 is a CNAME to a shared name whose lookup fails (SERVFAIL
-- at the second hop).  An error during CNAME expansion is a lookup
-- failure: mx1 cannot be used, defer.
return {
  title  = "TLSA CNAME chain fails at the second hop: defer",
  refs   = { "RFC 7672 2.1.3", "CONFORMANCE J116" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", fault = "cname:tlsa._dane.example.test" },
    { name = "tlsa._dane.example.test", type = "TLSA", fault = "servfail" },
  },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
