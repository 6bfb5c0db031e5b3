-- weak-exempt: the policy must NOT apply; a sender that ignores the media type refuses.
-- CONFORMANCE C30: the policy is served as text/html: rejected (sts-policy-
-- invalid), no policy, plaintext after the strip.
return {
  title  = "MTA-STS: policy served as text/html",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "m1", variant = "content-type" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
