-- weak-exempt: a sender that accepts a CN-only policy host refuses; every builtin mode delivers in plaintext.
-- CONFORMANCE C28: the policy host certificate names mta-sts.example.test
-- only in the CN, with no SAN: RFC 8461 asks for a DNS-ID, so the fetch is
-- rejected and the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: policy host certificate without SAN (CN only)",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", cert = { no_san = true, cn = "mta-sts.example.test" } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
