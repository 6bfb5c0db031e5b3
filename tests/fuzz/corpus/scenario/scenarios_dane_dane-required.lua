-- The sender is configured to require DANE for the domain, but mx1 has
-- no TLSA record (a secure denial): no delivery, and the report says
-- dane-required.
return {
  title  = "DANE required by local policy, no TLSA record: defer",
  refs   = { "RFC 7672 6", "RFC 8460 4.3.2.1", "CONFORMANCE H86" },
  domain = "example.test",
  dnssec = "secure",
  sender_tls = "dane",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  expect = { delivery = "refused", tlsrpt = { "dane-required" } },
}
