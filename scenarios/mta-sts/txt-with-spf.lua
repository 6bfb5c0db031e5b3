-- CONFORMANCE B14: a TXT RRset with an SPF record beside the STS record: the
-- SPF one is discarded and the policy applies, so a stripped STARTTLS must
-- not lead to plaintext.
return {
  title  = "MTA-STS: _mta-sts TXT beside an SPF record, STARTTLS stripped",
  refs   = { "RFC 8461 3.1", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "abc", txt = { "v=spf1 -all", "v=STSv1; id=abc" } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
