-- CONFORMANCE C33: the policy host answers 500 for id rp1, nothing cached:
-- delivery as without MTA-STS, a fetch error reported. Two minutes later
-- (same id) the sender does not fetch again (RFC 8461 3.3: no refetch for
-- the same id within 5 minutes). Ten minutes later the host works: the
-- policy is fetched and enforced, so the stripped session is refused.
return {
  title  = "MTA-STS: a failed fetch is not retried within 5 minutes",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "rp1", variant = "500" },
  phases = {
    { expect = { delivery = "verified", tlsrpt = { "sts-policy-fetch-error" },
                 fetches = 1 } },
    { advance = "2m", expect = { delivery = "verified", fetches = 0 } },
    { advance = "10m",
      set = { mta_sts = { mode = "enforce", id = "rp1" },
              attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", leak = false, fetches = 1 } },
  },
}
