-- CONFORMANCE N150: rua=mailto: an address in a separate reporting domain,
-- whose MX is the world's MX; the sender mails the report there.
return {
  title  = "TLSRPT: report by mail to a reporting domain",
  refs   = { "RFC 8460 3", "RFC 8460 5.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = "mailto:tlsrpt@reports.test" },
  expect = { delivery = "verified" },
}
