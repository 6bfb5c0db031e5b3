-- Every signature of the domain's zone expired a day ago: bogus, defer.
return {
  title  = "Expired RRSIGs: bogus, defer",
  refs   = { "RFC 7672 2.1.1", "RFC 4035 5.3.1", "CONFORMANCE H76" },
  domain = "example.test",
  dnssec = "bogus:expired",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "refused", tlsrpt = { "dnssec-invalid" } },
}
