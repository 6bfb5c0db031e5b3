-- weak-exempt: TLS-Required: No asks every sender to deliver despite the attack.
-- CONFORMANCE L131: "TLS-Required: No", enforce MTA-STS, STARTTLS
-- stripped: the sender ignores the policy and delivers in clear text.
return {
  title   = "TLS-Required: No: STARTTLS stripped under enforce MTA-STS, delivered",
  refs    = { "RFC 8689 4.2.2", "CONFORMANCE L131" },
  domain  = "example.test",
  mx      = { { host = "mx1.example.test", pref = 10 } },
  mta_sts = { mode = "enforce", mx = { "mx1.example.test" }, id = "n2" },
  message = { tls_required_no = true },
  attack  = { { "strip_starttls", host = "mx1.example.test" } },
  expect  = { delivery = "plaintext", leak = true },
}
