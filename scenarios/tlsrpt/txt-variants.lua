-- CONFORMANCE N144, N145: _smtp._tls records beside an SPF record, as two
-- character-strings, with an extension field (one per phase).
return {
  title  = "TLSRPT: _smtp._tls TXT syntax variants",
  refs   = { "RFC 8460 3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "r1" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1",
             txt = { "v=spf1 -all", "v=TLSRPTv1; rua=https://tlsrpt.example.test/v1" } },
  phases = {
    { expect = { delivery = "verified" } },
    { set = { tlsrpt = { rua = "https://tlsrpt.example.test/v1",
                          txt = { { "v=TLSRPTv1;", "rua=https://tlsrpt.example.test/v1" } } } },
      expect = { delivery = "verified" } },
    { set = { tlsrpt = { rua = "https://tlsrpt.example.test/v1",
                          txt = "v=TLSRPTv1; rua=https://tlsrpt.example.test/v1; foo=bar" } },
      expect = { delivery = "verified" } },
  },
}
