-- CONFORMANCE N154: reports are gzip-compressed (RFC 8460 5.3, 5.4:
-- application/tlsrpt+gzip SHOULD); an uncompressed +json report is a
-- finding and fails here. One failure (an expired certificate on mx1)
-- gives the report something to say.
return {
  title  = "TLSRPT: the reports are gzip-compressed",
  refs   = { "RFC 8460 4.1", "RFC 8460 5.3", "RFC 8460 5.4" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "expired" },
             { host = "mx2.example.test", pref = 20, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = { "https://tlsrpt.example.test/v1",
                     "mailto:tlsrpt@reports.test" } },
  expect = { delivery = "verified", tlsrpt = { "certificate-expired" },
             reports = { mail = 1, https = 1 } },
}
