-- The scenario clock is years after the real one: every certificate is
-- valid from 30 days before it.  A real sender sees valid certificates
-- only when it runs at the scenario clock (mxsim run --faketime).
return {
  title  = "Baseline at a scenario clock far from the real one",
  refs   = { "RFC 3207 4" },
  domain = "example.test",
  clock  = "2031-03-01T00:00:00Z",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  expect = { delivery = "verified", leak = false },
}
