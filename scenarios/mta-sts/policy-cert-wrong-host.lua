-- weak-exempt: a sender that does not verify the policy host refuses; every builtin mode delivers in plaintext.
-- CONFORMANCE C28: the policy host presents a certificate for another name;
-- the fetch must be rejected (sts-webpki-invalid), so with nothing cached
-- the domain has no MTA-STS and the stripped session goes on in plaintext.
return {
  title  = "MTA-STS: policy host with a certificate for another name",
  refs   = { "RFC 8461 3.3" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "w1", cert = "wrong-host" },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "plaintext" },
}
