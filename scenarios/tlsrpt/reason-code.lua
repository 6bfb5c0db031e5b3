-- CONFORMANCE N149: mx1 presents a self-signed certificate under an
-- enforce policy; the sender goes on to mx2. Its report counts the
-- certificate-not-trusted session with a failure-reason-code (RFC 8460
-- 4.3.1 SHOULD); a report without one is a finding and fails here.
return {
  title  = "TLSRPT: certificate-not-trusted carries a failure-reason-code",
  refs   = { "RFC 8460 4.3.1", "RFC 8460 4.3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" },
             { host = "mx2.example.test", pref = 20, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  expect = { delivery = "verified", tlsrpt = { "certificate-not-trusted" },
             reports = { https = 1 } },
}
