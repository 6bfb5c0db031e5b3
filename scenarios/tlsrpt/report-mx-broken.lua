-- CONFORMANCE N152: the report recipient is the policy domain itself,
-- whose only MX has a self-signed certificate under an enforce policy.
-- The message is refused (certificate-not-trusted), but the report mail
-- must still be delivered (RFC 8460 3: despite TLS failures; the
-- reference sender marks it TLS-Required: No, RFC 8689) and its own
-- session is not counted in a report.
return {
  title  = "TLSRPT: the report is delivered despite the recipient MX's broken cert",
  refs   = { "RFC 8460 3", "RFC 8460 5.3", "RFC 8689 4.2.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = "mailto:tlsrpt@example.test" },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" },
             reports = { mail = 1 } },
}
