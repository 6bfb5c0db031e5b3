-- A secure TLSA RRset makes TLS mandatory: STARTTLS stripped from the
-- EHLO reply means no delivery via that MX, although the sender's local
-- policy for the domain is only "may".
return {
  title  = "DANE: STARTTLS stripped, no plaintext fallback",
  refs   = { "RFC 7672 2.2", "RFC 8460 4.3.1", "CONFORMANCE I105" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
