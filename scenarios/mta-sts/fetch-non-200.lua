-- weak-exempt: the policy must NOT apply; a sender that takes a non-200 body refuses.
-- CONFORMANCE C26: the policy URL answers 404, 500, 204, 304 (one per phase,
-- each with a new id): only 200 is a valid fetch, so there is no policy and
-- the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: policy fetch answered 404, 500, 204, 304",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "n1", variant = "404" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", id = "n2", variant = "500" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", id = "n3", variant = "204" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", id = "n4", variant = "304" } }, expect = { delivery = "plaintext" } },
  },
}
