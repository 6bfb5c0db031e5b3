-- The operator replaces the TLSA record with the new key's before the
-- MX serves a certificate with that key: the old certificate no longer
-- matches, defer.
return {
  title  = "Stale TLSA: TLSA record replaced before the certificate",
  refs   = { "RFC 7671 8.1", "RFC 7672 3.1.1", "RFC 7672 9.1" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = { key_id = "k1" } } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 key:k1" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { tlsa = { ["mx1.example.test"] = { "3 1 1 key:k2" } } },
      expect = { delivery = "refused", tlsrpt = { "tlsa-invalid" } } },
  },
}
