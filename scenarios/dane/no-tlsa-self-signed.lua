-- Signed zones, no TLSA RRset for mx1 (a secure denial), and mx1 presents
-- a self-signed certificate.  DANE does not apply, so a pre-DANE sender
-- delivers over unauthenticated TLS; deferring because the certificate
-- does not verify would be wrong.  (Lee et al. 2020 and Exim's DANE
-- tests: "nonverifying certificate without TLSA".)
return {
  title  = "Secure \"no TLSA\", self-signed certificate: deliver over TLS",
  refs   = { "RFC 7672 2.2", "RFC 7435 3", "CONFORMANCE H80" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  expect = { delivery = "tls" },
}
