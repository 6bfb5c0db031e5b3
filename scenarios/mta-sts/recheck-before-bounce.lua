-- CONFORMANCE G70: an enforce policy (id q1) is cached. Then mx1 presents a
-- self-signed certificate, and the domain publishes id q2 with mode
-- testing. The sender's first TXT lookup fails (SERVFAIL, once), so it
-- starts under the cached enforce policy and every MX fails. Before giving
-- up it looks at the TXT record again (RFC 8461 5.1), finds q2, fetches the
-- testing policy and delivers (testing: failures are reported, not
-- enforced). Without that re-check the message stays queued.
return {
  title  = "MTA-STS: every MX fails under enforce; a fresh check finds testing",
  refs   = { "RFC 8461 5", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "q1" },
  phases = {
    { expect = { delivery = "verified", fetches = 1 } },
    { advance = "1h",
      set = { mx = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
              mta_sts = { mode = "testing", id = "q2" },
              attack = { { "block", name = "_mta-sts.example.test", type = "TXT",
                           mode = "servfail", nth = 1 } } },
      expect = { delivery = "tls", tlsrpt = { "certificate-not-trusted" },
                 fetches = 1 } },
  },
}
