-- CONFORMANCE L128: C-wrong: the attacker answers STARTTLS with a valid
-- certificate for another name and relays to mx1.  The MX host name must
-- match the certificate: no transmission.
return {
  title   = "REQUIRETLS: certificate for another host (swap_cert wrong-host)",
  refs    = { "RFC 8689 4.2.1", "CONFORMANCE L128" },
  domain  = "example.test",
  dnssec  = "secure",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  message = { requiretls = true },
  attack  = { { "swap_cert", host = "mx1.example.test", cert = "wrong-host" } },
  expect  = { delivery = "refused", leak = false },
}
