-- No attacker: the MX's own certificate is "domain-only" (core/pki.h):
-- the reference identity of an MX is its host name (MTA-STS, DANE), never the recipient domain.
return {
  title  = "MX certificate valid for the recipient domain, not the MX host",
  refs   = { "RFC 8461 4.1", "RFC 7672 3.2.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "domain-only" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" } },
}
