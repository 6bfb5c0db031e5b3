-- weak-exempt: without a policy, plaintext is what a compliant sender does (RFC 8461 10.2).
-- CONFORMANCE C31: the TXT record is valid but nothing listens on the policy
-- host (then: no address for it at all). With nothing cached the domain has
-- no MTA-STS: plaintext after the strip, and a compliant sender reports sts-
-- policy-fetch-error.
return {
  title  = "MTA-STS: policy host unreachable, nothing cached",
  refs   = { "RFC 8461 3.3", "RFC 8461 6" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "u1", variant = "unreachable" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", id = "u2", variant = "no-host" } }, expect = { delivery = "plaintext" } },
  },
}
