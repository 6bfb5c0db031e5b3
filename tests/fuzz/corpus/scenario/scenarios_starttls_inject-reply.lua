-- weak-exempt: every builtin mode discards buffered plaintext at the switch to TLS;
-- a real sender with the CVE-2011-0411 bug fails it (issue: a weak mode that keeps it).
-- Client side of CVE-2011-0411: the attacker appends plaintext replies
-- to the MX's "220 Ready" in the same segment.  The sender must not read
-- them as the first replies inside TLS: it discards buffered plaintext at
-- the switch (and delivers over TLS) or aborts.
return {
  title  = "Plaintext replies injected right behind the 220 to STARTTLS",
  refs   = { "RFC 3207 4.2", "CONFORMANCE A3", "CVE-2011-0411" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_inject", host = "mx1.example.test",
               text = "250-evil.attacker.test\n250 PIPELINING" } },
  expect = { delivery = { "verified", "refused" }, leak = false },
}
