-- weak-exempt: the inherent limit of an unsigned domain (CONFORMANCE H108): every sender, compliant or not, follows the forged MX.
-- The domain is unsigned; the attacker replaces its MX RRset with
-- evil.attacker.test, a host with a valid certificate of its own.  Nothing
-- can tell the forgery apart: the sender delivers to the attacker over
-- TLS.  The scenario expects exactly that (and the leak), to show what
-- DNSSEC buys; the '!' notes record the forged answer.
return {
  title  = "MX spoofed in an unsigned domain: mail goes to the attacker",
  refs   = { "RFC 7672 2.2.1", "CONFORMANCE H108" },
  domain = "example.test",
  dnssec = "insecure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "spoof_mx", data = "10 evil.attacker.test." } },
  expect = { delivery = { "tls", "plaintext" }, leak = true },
}
