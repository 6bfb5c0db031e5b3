-- Unknown usage, unknown selector, unknown matching type and a truncated
-- digest are each unusable; the one usable record matches, so the
-- server is authenticated.
return {
  title  = "Unusable TLSA records beside one matching DANE-EE record",
  refs   = { "RFC 6698 4.1", "RFC 7671 9", "RFC 7672 2.2", "CONFORMANCE I102" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "self-signed" } },
  tlsa   = { ["mx1.example.test"] = {
    "4 1 1 auto",
    "3 1 9 5a5a5a5a",
    "3 2 1 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
    "3 1 1 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
    "3 1 1 auto" } },
  expect = { delivery = "verified" },
}
