-- weak-exempt: a sender that does not verify the policy host refuses; every builtin mode delivers in plaintext.
-- The MTA-STS policy host presents a "sha1" certificate (core/pki.h):
-- the fetch must fail (sts-webpki-invalid), so with nothing cached the
-- domain has no MTA-STS and the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: policy host with a sha1 certificate",
  refs   = { "RFC 8461 3.3", "RFC 5280 6.1" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", cert = "sha1" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
