-- weak-exempt: tests the MX (the server side of the bug); no sender mode can fail it.
-- Server side of CVE-2011-0411: the attacker writes commands to the MX
-- right behind the sender's STARTTLS, in the same segment.  The MX must
-- discard them at the switch to TLS (the fake MX does and says so in the
-- transcript); the sender's own dialogue inside TLS stays intact.
return {
  title  = "Commands injected towards the MX behind the sender's STARTTLS",
  refs   = { "RFC 3207 4.2", "CONFORMANCE A4", "CVE-2011-0411" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_inject", host = "mx1.example.test", mode = "command",
               text = "RSET\nMAIL FROM:<attacker@evil.attacker.test>" } },
  expect = { delivery = "verified", leak = false },
}
