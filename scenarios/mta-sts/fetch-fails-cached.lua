-- CONFORMANCE C32, E47: an enforce policy is fetched and cached; an hour
-- later the attacker blocks the policy fetch and the TXT lookup and strips
-- STARTTLS. The cached policy still protects: no plaintext.
return {
  title  = "MTA-STS: cached enforce policy survives a blocked TXT and policy host",
  refs   = { "RFC 8461 3.3", "RFC 8461 5.1", "RFC 8461 10.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "k1", mx = { "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { attack = { { "tamper_policy", mode = "block" }, { "tamper_txt", mode = "block" },
                         { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false } },
  },
}
