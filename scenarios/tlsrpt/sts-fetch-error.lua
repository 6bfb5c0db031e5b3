-- CONFORMANCE C32, O: an enforce policy is cached; then a new id is
-- published but the policy host answers 500, and STARTTLS is stripped. The
-- cached policy applies (no delivery) and the report carries sts-policy-
-- fetch-error beside starttls-not-supported.
return {
  title  = "TLSRPT: fetch error under a cached policy",
  refs   = { "RFC 8460 4.3.2.2", "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "f1" },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { mta_sts = { mode = "enforce", id = "f2", variant = "500" }, attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", tlsrpt = { "sts-policy-fetch-error", "starttls-not-supported" }, leak = false } },
  },
}
