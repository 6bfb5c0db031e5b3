-- CONFORMANCE N151: the report mail carries a DKIM signature of the
-- reporting domain (RFC 6376, relaxed/relaxed, no l=) that covers the
-- TLS-Report-Domain and TLS-Report-Submitter fields; mxsim verifies it
-- against the key it publishes at tlsrpt._domainkey.sender.mxsim.test
-- (s=tlsrpt, RFC 8460 3). Here the rua is an address of the recipient
-- domain itself, so the report goes to the scenario's own MX.
return {
  title  = "TLSRPT: the report mail is DKIM-signed",
  refs   = { "RFC 8460 3", "RFC 8460 5.3", "RFC 6376 3.5", "RFC 8463" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = "mailto:tlsrpt@example.test" },
  expect = { delivery = "verified", reports = { mail = 1 } },
}
