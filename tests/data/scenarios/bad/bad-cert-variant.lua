-- expect: bad-cert-variant.lua:7: mx[1].cert: bad value "superseded" (allowed: valid, expired, not-yet-valid, wrong-host, self-signed, untrusted-ca, attacker, bad-signature, leaf-as-ca, intermediate, missing-intermediate, wrong-chain-order, wildcard, wildcard-two-labels, cn-only, weak-rsa, sha1, domain-only, revoked)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test",
           cert = "superseded" } },
  expect = { delivery = "verified" },
}
