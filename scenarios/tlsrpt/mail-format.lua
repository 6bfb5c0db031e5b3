-- CONFORMANCE N150: the report mail as the reporting domain's MX
-- received it: multipart/report; report-type="tlsrpt", a human-readable
-- first part, an application/tlsrpt+gzip part named
-- submitter!domain!begin!end.json.gz, TLS-Report-Domain and
-- TLS-Report-Submitter (= the domain of contact-info), the Subject form.
-- Every deviation is a finding, and a finding fails the scenario.
return {
  title  = "TLSRPT: the report mail format, judged from the received mail",
  refs   = { "RFC 8460 5.1", "RFC 8460 5.3", "RFC 6522 3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "testing", id = "r1" },
  attack = { { "strip_starttls", host = "mx1.example.test", nth = 1 } },
  tlsrpt = { rua = "mailto:tlsrpt@reports.test" },
  expect = { delivery = "plaintext", tlsrpt = { "starttls-not-supported" },
             reports = { mail = 1 } },
}
