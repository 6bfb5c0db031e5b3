-- The TLSA lookup of the only MX times out (the server never answers).
-- Indeterminate: the MX cannot be used, defer.
return {
  title  = "TLSA lookup times out: defer",
  refs   = { "RFC 7672 2.1.2", "CONFORMANCE H79" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", type = "TLSA", fault = "timeout" },
  },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
