-- A TLSA record that does not match, in an unsigned zone: it must be
-- ignored, and the PKIX-valid server gets the message.
return {
  title  = "Insecure, non-matching TLSA (unsigned zone): ignored, delivered",
  refs   = { "RFC 7672 2.2", "RFC 6698 4.1", "CONFORMANCE H81" },
  domain = "example.test",
  dnssec = "insecure",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  tlsa   = { ["mx1.example.test"] = {
    "3 1 1 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a" } },
  expect = { delivery = "verified" },
}
