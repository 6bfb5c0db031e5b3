-- The deployment sequence: the domain starts in testing mode (a stripped
-- STARTTLS still delivers, and is reported), then publishes enforce under a
-- new id; from then on the stripped session must not deliver.
return {
  title  = "Seed case: testing-to-enforce deployment",
  refs   = { "RFC 8461 5", "RFC 8461 5.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "testing", id = "t1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "plaintext", tlsrpt = { "starttls-not-supported" } } },
    { advance = "1d",
      set = { mta_sts = { mode = "enforce", id = "t2" } },
      expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false } },
  },
}
