-- weak-exempt: the policy must NOT apply; a lax policy parser refuses.
-- CONFORMANCE D38: mode values are case-sensitive literals: Enforce, strict,
-- or no mode line. Each phase serves one such body under a new id; each is
-- an invalid policy (sts-policy-invalid), so with nothing cached there is no
-- MTA-STS and the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: invalid policy body (mode)",
  refs   = { "RFC 8461 3.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "i0" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { set = { mta_sts = { id = "i1", body = "version: STSv1\r\nmode: Enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { id = "i2", body = "version: STSv1\r\nmode: strict\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { id = "i3", body = "version: STSv1\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n" } }, expect = { delivery = "plaintext" } },
  },
}
