-- CONFORMANCE N148: enforce; mx1 presents an expired certificate, mx2 is
-- healthy; three messages: each tries mx1 (certificate-expired) then
-- delivers via mx2 (success).
return {
  title  = "TLSRPT: failure and success counts under STS",
  refs   = { "RFC 8460 4.2", "RFC 8460 4.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "expired" },
               { host = "mx2.example.test", pref = 20, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "c1" },
  tlsrpt = { rua = { "https://tlsrpt.example.test/v1", "mailto:tlsrpt@example.test" } },
  messages = 3,
  expect = { delivery = "verified", tlsrpt = { "certificate-expired" } },
}
