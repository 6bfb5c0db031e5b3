-- weak-exempt: the policy must NOT apply; a lax TXT parser refuses.
-- CONFORMANCE B17: syntax errors in the TXT record (one per phase, each a
-- fresh id): v=STSv2, v=stsv1 (case-sensitive), a missing id, an id of 33
-- characters, an id with a hyphen. Each makes the record invalid: no policy,
-- so the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: invalid _mta-sts TXT records",
  refs   = { "RFC 8461 3.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", txt = "v=STSv2; id=a1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", txt = "v=stsv1; id=a2" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", txt = "v=STSv1;" } }, expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", txt = "v=STSv1; id=" .. string.rep("a", 33) } },
      expect = { delivery = "plaintext" } },
    { set = { mta_sts = { mode = "enforce", txt = "v=STSv1; id=2026-01-01" } }, expect = { delivery = "plaintext" } },
  },
}
