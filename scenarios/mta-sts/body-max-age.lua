-- weak-exempt: the policy must NOT apply; a lax policy parser refuses.
-- CONFORMANCE D39: max_age missing, -1, 1e6, or 11 digits. Each phase serves
-- one such body under a new id; each is an invalid policy (sts-policy-
-- invalid), so with nothing cached there is no MTA-STS and the stripped
-- session goes on in plaintext.
return {
  title  = "MTA-STS: invalid policy body (max age)",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "i0" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { set = { mta_sts = { id = "i1", body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\n" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { id = "i2", body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: -1\r\n" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { id = "i3", body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 1e6\r\n" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { id = "i4", body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 12345678901\r\n" } }, expect = { delivery = "plaintext" } },
  },
}
