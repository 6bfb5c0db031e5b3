-- The MTA-STS policy host's certificate is issued by an intermediate CA
-- and served with it: the fetch succeeds, the enforce policy applies and
-- the stripped session must be refused.
return {
  title  = "MTA-STS: policy host certificate through an intermediate CA",
  refs   = { "RFC 8461 3.3", "RFC 8461 5" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", cert = "intermediate" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" } },
}
