-- weak-exempt: an address literal has no policy domain, so plaintext is the compliant result; the check is that no policy is looked up (fetches = 0).
-- CONFORMANCE B23: the recipient is user@[127.25.0.11], the address of
-- mx1.example.test, whose domain publishes an enforce policy. An address
-- literal has no domain: RFC 8461 3.4 defines no MTA-STS for it and RFC 7672
-- 2.2 no DANE. The sender connects to the address, looks nothing up, and
-- with STARTTLS stripped delivers in plaintext (opportunistic TLS).
return {
  title  = "MTA-STS: an address-literal recipient gets no MTA-STS lookup",
  refs   = { "RFC 8461 3.4", "RFC 7672 2.2", "RFC 5321 4.1.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "lit1" },
  message = { rcpt = "user@[127.25.0.11]" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext", fetches = 0 },
}
