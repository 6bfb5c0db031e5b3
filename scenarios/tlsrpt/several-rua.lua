-- CONFORMANCE N146: rua=mailto:...,https://... (RFC 8460 3). The sender
-- may use one or both endpoints; the reference sender sends to each, so
-- mxsim expects one report mail (read back from the MX, format and DKIM
-- checked) and one HTTPS POST, both agreeing with what mxsim saw.
return {
  title  = "TLSRPT: several rua, a mail and an HTTPS report",
  refs   = { "RFC 8460 3", "RFC 8460 5.3", "RFC 8460 5.4" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = { "mailto:tlsrpt@reports.test",
                     "https://tlsrpt.reports.test/v1" } },
  expect = { delivery = "verified", reports = { mail = 1, https = 1 } },
}
