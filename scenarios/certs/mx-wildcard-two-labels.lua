-- No attacker: the MX's own certificate is "wildcard-two-labels" (core/pki.h):
-- a wildcard covers exactly one label.
return {
  title  = "Wildcard *.example.test presented by mx1.sub.example.test",
  refs   = { "RFC 6125 6.4.3", "RFC 7672 3.2.3" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.sub.example.test", pref = 10, cert = "wildcard-two-labels" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" } },
}
