-- The MX RRset is secure, but the MX host lives in an unsigned zone whose
-- nameserver fails TLSA queries.  The sender looks up the address first,
-- finds it insecure, and must not let the TLSA lookup (or its failure)
-- stop delivery: opportunistic TLS.  (Lee et al. 2020 "insecure A";
-- CONFORMANCE H82.)
return {
  title  = "Secure MX, insecure MX host with failing TLSA lookups: deliver",
  refs   = { "RFC 7672 2.2.2", "CONFORMANCE H82" },
  domain = "example.test",
  dnssec = "secure",
  zones  = { ["other.test"] = "insecure" },
  mx     = { { host = "mx1.other.test", pref = 10 } },
  dns_faults = {
    { name = "_25._tcp.mx1.other.test", type = "TLSA", fault = "servfail" },
  },
  expect = { delivery = { "verified", "tls" } },
}
