-- The operator rotates the MX's key before publishing the new TLSA
-- record: the TLSA RRset still names the old key, so DANE authentication
-- fails and the sender must defer (the seed's "stale TLSA" failure).
-- Keys are named (cert key_id, TLSA "key:ID"), so the old key's data is
-- known without writing hex that depends on the seed.
return {
  title  = "Stale TLSA: certificate rotated before the TLSA update",
  refs   = { "RFC 7671 8.1", "RFC 7672 3.1.1", "RFC 7672 9.1" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = { key_id = "k1" } } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 key:k1" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1d",
      set = { mx = { { host = "mx1.example.test", pref = 10, cert = { key_id = "k2" } } } },
      expect = { delivery = "refused", tlsrpt = { "tlsa-invalid" } } },
  },
}
