-- The MX's certificate (and key) is rotated together with its TLSA
-- record: each phase authenticates against the RRset in force then.
return {
  title  = "Certificate and TLSA record rotated together",
  refs   = { "RFC 7671 8.1", "RFC 7672 3.1.1" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1d",
      set = { mx = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } } },
      expect = { delivery = "verified" } },
    { advance = "1d",
      set = { tlsa = { ["mx1.example.test"] = { "2 0 1 ca" } } },
      expect = { delivery = "refused", tlsrpt = { "tlsa-invalid" } } },
  },
}
