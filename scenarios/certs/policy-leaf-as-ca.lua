-- weak-exempt: a sender that does not verify the policy host refuses; every builtin mode delivers in plaintext.
-- The MTA-STS policy host presents a "leaf-as-ca" certificate (core/pki.h):
-- the fetch must fail (sts-webpki-invalid), so with nothing cached the
-- domain has no MTA-STS and the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: policy host with a leaf-as-ca certificate",
  refs   = { "RFC 8461 3.3", "RFC 5280 6.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", cert = "leaf-as-ca" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
