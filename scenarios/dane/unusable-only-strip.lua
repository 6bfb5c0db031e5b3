-- Only unusable TLSA records, and the attacker strips STARTTLS: any
-- secure TLSA RRset is a commitment to TLS, so no plaintext delivery.
return {
  title  = "Only unusable TLSA records, STARTTLS stripped: no plaintext",
  refs   = { "RFC 7672 2.2", "RFC 7672 2.2.3", "CONFORMANCE I101", "CONFORMANCE I105" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "1 1 1 auto" } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
