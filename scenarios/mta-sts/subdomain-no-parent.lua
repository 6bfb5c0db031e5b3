-- weak-exempt: no policy applies to the subdomain, so plaintext is the compliant result; the check is that the parent's policy is never looked at (fetches = 0).
-- CONFORMANCE B21: mail to user@sub.example.test; only the parent
-- example.test publishes MTA-STS (an enforce policy that lists the
-- subdomain's MX). RFC 8461 3.4: the policy domain is sub.example.test, and
-- senders MUST NOT fall back to the parent. The sender looks up
-- _mta-sts.sub.example.test only, so nothing is fetched from
-- mta-sts.example.test and the stripped session goes on in plaintext; a
-- sender that used the parent's policy would refuse it.
return {
  title  = "MTA-STS: a subdomain recipient never uses the parent's policy",
  refs   = { "RFC 8461 3.4" },
  domain = "sub.example.test",
  mx     = { { host = "mx1.sub.example.test", pref = 10, cert = "valid" } },
  zones  = { ["example.test"] = "insecure" },
  mta_sts = { domain = "example.test", mode = "enforce", id = "par1",
              mx = { "mx1.sub.example.test", "*.example.test" } },
  attack = { { "strip_starttls", host = "mx1.sub.example.test" } },
  expect = { delivery = "plaintext", fetches = 0 },
}
