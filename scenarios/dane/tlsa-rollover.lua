-- The RFC 7671 8.1 rollover done right: publish the new key's TLSA
-- record next to the old one, rotate the certificate, then retire the
-- old record.  Every phase authenticates.
return {
  title  = "Key rollover: current + next TLSA, rotate, retire (verified throughout)",
  refs   = { "RFC 7671 8.1", "RFC 7672 3.1.1" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = { key_id = "k1" } } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 key:k1", "3 1 1 key:k2" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1d",
      set = { mx = { { host = "mx1.example.test", pref = 10, cert = { key_id = "k2" } } } },
      expect = { delivery = "verified" } },
    { advance = "1d",
      set = { tlsa = { ["mx1.example.test"] = { "3 1 1 key:k2" } } },
      expect = { delivery = "verified" } },
  },
}
