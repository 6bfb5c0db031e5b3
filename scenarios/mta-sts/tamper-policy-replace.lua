-- weak-exempt: expected-insecure on first contact; the point is that the forged policy is not cached (see tamper-policy-cached).
-- CONFORMANCE C28 (attack): no cached policy; the attacker answers the
-- policy fetch itself with a mode none policy, presenting its own
-- certificate, and strips STARTTLS. The forged policy fails WebPKI
-- validation (sts-webpki-invalid) and is ignored; with nothing cached that
-- leaves no MTA-STS (plaintext).
return {
  title  = "MTA-STS: the attacker serves its own policy with its own certificate",
  refs   = { "RFC 8461 3.3", "RFC 8461 10.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "p1" },
  attack = { { "tamper_policy", mode = "replace", text = "version: STSv1\r\nmode: none\r\nmax_age: 31557600\r\n" },
             { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
