-- weak-exempt: the policy must NOT apply; a lax policy parser refuses.
-- CONFORMANCE D40: mode enforce without any mx line. Each phase serves one
-- such body under a new id; each is an invalid policy (sts-policy-invalid),
-- so with nothing cached there is no MTA-STS and the stripped session goes
-- on in plaintext.
return {
  title  = "MTA-STS: invalid policy body (no mx)",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "i0" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { set = { mta_sts = { id = "i1", body = "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n" } }, expect = { delivery = "plaintext" } },
  },
}
