-- A secure NXDOMAIN for _25._tcp.mx1 (the name really does not exist,
-- the NSEC proof is good): DANE does not apply and the sender goes on
-- with opportunistic TLS.  Deferring would be wrong.
return {
  title  = "Secure NXDOMAIN for the TLSA name: no DANE, opportunistic TLS",
  refs   = { "RFC 7672 2.1.1", "RFC 7672 2.2", "CONFORMANCE H80" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  dns_faults = {
    { name = "_25._tcp.mx1.example.test", fault = "nxdomain" },
  },
  expect = { delivery = "verified" },
}
