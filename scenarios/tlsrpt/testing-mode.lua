-- weak-exempt: testing mode must not block; what is tested is the report.
-- CONFORMANCE G72, O: testing mode, STARTTLS stripped: plaintext delivery,
-- reported under sts as starttls-not-supported.
return {
  title  = "TLSRPT: testing-mode failure reported",
  refs   = { "RFC 8460 4.3.1", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "testing", id = "t1" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext", tlsrpt = { "starttls-not-supported" } },
}
