-- DANE: TLSA RRsets per MX host (keys in any case, sorted), carried over
-- into later phases and replaced by `set`.
return {
  title = "DANE",
  refs = { "RFC 7672 2.2" },
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" }, { host = "mx2.example.test" } },
  tlsa = {
    ["MX2.Example.Test"] = { "2 0 1 ca" },
    ["mx1.example.test"] = { "3 1 1 auto", "DANE-EE SPKI SHA2-256 "
                             .. string.rep("ab", 32) },
  },
  phases = {
    { expect = { delivery = "verified" } },
    { set = { dnssec = "bogus" }, expect = { delivery = "refused" } },
    { set = { tlsa = {} }, expect = { delivery = "refused" } },
  },
}
