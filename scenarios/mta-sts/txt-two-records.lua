-- weak-exempt: the policy must NOT apply here; every builtin mode delivers in plaintext, a sender that picks one record refuses.
-- CONFORMANCE B15: two STS records: no usable record, so no discovery at all
-- (no fetch); without a cached policy the domain has no MTA-STS and a
-- stripped STARTTLS means plaintext (expected-insecure).
return {
  title  = "MTA-STS: two _mta-sts TXT records, no usable policy",
  refs   = { "RFC 8461 3.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", txt = { "v=STSv1; id=a", "v=STSv1; id=b" } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
