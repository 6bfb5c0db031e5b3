-- DANE required by local policy; the zone is unsigned, so its TLSA
-- record proves nothing: no delivery.
return {
  title  = "DANE required by local policy, insecure zone: defer",
  refs   = { "RFC 7672 6", "RFC 7672 2.2", "CONFORMANCE H86" },
  domain = "example.test",
  dnssec = "insecure",
  sender_tls = "dane",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "refused", tlsrpt = { "dane-required" } },
}
