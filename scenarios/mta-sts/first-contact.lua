-- weak-exempt: expected-insecure: no sender can do better before first contact.
-- CONFORMANCE C35 (documented limitation): no cached policy; the attacker
-- blocks the TXT lookup and the policy fetch and strips STARTTLS. Plaintext
-- delivery conforms: MTA-STS gives no protection before first discovery
-- (trust on first use).
return {
  title  = "MTA-STS: first-contact downgrade (expected insecure)",
  refs   = { "RFC 8461 10.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "f1" },
  attack = { { "tamper_txt", mode = "block" }, { "tamper_policy", mode = "block" },
             { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
