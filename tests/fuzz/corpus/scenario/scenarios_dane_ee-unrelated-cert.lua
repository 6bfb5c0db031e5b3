-- DANE-EE ignores names and dates entirely: mx1 presents a self-signed,
-- expired certificate named unrelated.test whose key is in the TLSA
-- record (the Exim and USENIX Security 2020 DANE test case).
return {
  title  = "DANE-EE: self-signed, expired, unrelated name, matching key",
  refs   = { "RFC 7672 3.1.1", "RFC 7672 3.2.1", "CONFORMANCE I90" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10,
               cert = { variant = "custom", san = { "unrelated.test" },
                        issuer = "self",
                        not_before = "2025-01-01T00:00:00Z",
                        not_after = "2026-01-01T00:00:00Z" } } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "verified" },
}
