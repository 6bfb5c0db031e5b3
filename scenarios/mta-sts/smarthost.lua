-- CONFORMANCE B22: the sender relays every message through the smart host
-- domain smarthost.test (its MX relay.smarthost.test), which publishes an
-- enforce MTA-STS policy; the recipient domain example.test publishes none.
-- RFC 8461 3.4: the policy domain is the smart host's. The sender fetches
-- smarthost.test's policy and, with STARTTLS stripped on the relay, sends
-- nothing in plaintext. A sender that looked at the recipient domain finds
-- no policy and delivers in plaintext.
return {
  title  = "MTA-STS: relaying through a smart host uses the smart host's policy",
  refs   = { "RFC 8461 3.4" },
  domain = "example.test",
  relay  = "smarthost.test",
  mx     = { { host = "relay.smarthost.test", pref = 10, cert = "valid" } },
  dns    = { "smarthost.test. 300 IN MX 10 relay.smarthost.test." },
  mta_sts = { domain = "smarthost.test", mode = "enforce", id = "sh1",
              mx = { "relay.smarthost.test" } },
  phases = {
    { expect = { delivery = "verified", fetches = 1 } },
    { advance = "1h",
      set = { attack = { { "strip_starttls", host = "relay.smarthost.test" } } },
      expect = { delivery = "refused", leak = false, fetches = 0 } },
  },
}
