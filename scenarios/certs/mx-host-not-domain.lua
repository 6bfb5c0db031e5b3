-- The reverse of mx-domain-only: the MX certificate names the MX host
-- and not the recipient domain.  That is how it should be: a sender that
-- wrongly checks the recipient domain refuses it.
return {
  title  = "MX certificate valid for the MX host, not the recipient domain",
  refs   = { "RFC 8461 4.1", "RFC 7672 3.2.2" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  expect = { delivery = "verified" },
}
