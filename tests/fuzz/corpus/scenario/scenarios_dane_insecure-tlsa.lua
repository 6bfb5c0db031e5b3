-- A TLSA record in an unsigned zone is ignored: no DANE, so an MX
-- without STARTTLS gets the message in plaintext under the local
-- policy "may".
return {
  title  = "Insecure TLSA (unsigned zone): ignored",
  refs   = { "RFC 7672 2.2", "RFC 6698 4.1", "CONFORMANCE H81" },
  domain = "example.test",
  dnssec = "insecure",
  mx     = { { host = "mx1.example.test", pref = 10, ehlo = { "PIPELINING", "8BITMIME" } } },
  tlsa   = { ["mx1.example.test"] = { "3 1 1 auto" } },
  expect = { delivery = "plaintext" },
}
