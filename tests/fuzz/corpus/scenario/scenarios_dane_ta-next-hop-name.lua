-- DANE-TA with a secure MX RRset: the next-hop domain is a reference
-- identifier too, so a leaf that names only example.test is accepted.
return {
  title  = "DANE-TA: leaf names only the next-hop domain",
  refs   = { "RFC 7672 3.2.2", "CONFORMANCE I95" },
  domain = "example.test",
  dnssec = "secure",
  mx     = { { host = "mx1.example.test", pref = 10,
               cert = { variant = "custom", san = { "example.test" } } } },
  tlsa   = { ["mx1.example.test"] = { "2 0 2 ca" } },
  expect = { delivery = "verified" },
}
