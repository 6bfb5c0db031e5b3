-- The attacker terminates TLS with a certificate any PKIX check accepts
-- for mx1 (trusted CA, right name), but with its own key.  A sender that
-- requires verified TLS by PKIX would be fooled; DANE is not.
return {
  title  = "DANE: attacker's PKIX-valid certificate with another key",
  refs   = { "RFC 7672 3.2", "RFC 7672 1.3", "CONFORMANCE I91" },
  domain = "example.test",
  dnssec = "secure",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "valid", relay = true } },
  expect = { delivery = "refused", tlsrpt = { "tlsa-invalid" }, leak = false },
}
