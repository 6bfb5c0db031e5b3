-- CONFORMANCE B20: _mta-sts.example.test is a CNAME to
-- _mta-sts.provider.test, which holds the TXT record; the policy itself is
-- served at mta-sts.example.test with a certificate for that name. The
-- sender follows the CNAME (RFC 8461 3.1: senders MUST), fetches the policy
-- and enforces it: with STARTTLS stripped nothing goes in plaintext. A
-- sender that does not follow the CNAME sees no policy and delivers in
-- plaintext.
return {
  title  = "MTA-STS: the _mta-sts record is a CNAME to a provider's name",
  refs   = { "RFC 8461 3.1", "RFC 8461 8.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  mta_sts = { mode = "enforce", id = "cn1", cname = "_mta-sts.provider.test" },
  phases = {
    { expect = { delivery = "verified", fetches = 1 } },
    { advance = "1h",
      set = { attack = { { "strip_starttls", host = "mx1.example.test" } } },
      expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" },
                 leak = false, fetches = 0 } },
  },
}
