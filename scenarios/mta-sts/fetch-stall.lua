-- weak-exempt: without a policy, plaintext is what a compliant sender does.
-- CONFORMANCE C34: the policy host sends its head, then nothing: the fetch
-- must time out (a fetch failure), and the delivery goes on.
return {
  title  = "MTA-STS: policy fetch stalls after the head",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "s1", variant = "stall" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
