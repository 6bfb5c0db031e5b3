-- DANE-TA requires name checks: the chain leads to the TLSA trust anchor
-- but the leaf names another host.  (The same certificate under DANE-EE
-- delivers: ee-name-mismatch.)
return {
  title  = "DANE-TA: leaf certificate for another host",
  refs   = { "RFC 7672 3.2.2", "CONFORMANCE I94" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "wrong-host" } },
  tlsa   = { ["mx1.example.test"] = { "2 0 1 ca" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" } },
}
