-- CONFORMANCE F59: the MX mx1.example.test is a CNAME to host.cloud.test;
-- the policy lists mx1.example.test and mx1's certificate names it. The
-- pattern is matched on the MX name and the certificate checked against
-- it (RFC 8461 4.1, 4.2): delivery is verified. Then the attacker presents
-- a valid certificate for host.cloud.test, the CNAME target: it does not
-- name the MX host, so nothing is delivered.
return {
  title  = "MTA-STS: the MX is a CNAME: match and check the MX name",
  refs   = { "RFC 8461 4.1", "RFC 8461 4.2" },
  domain = "example.test",
  mx     = { { host = "mx1.example.test", pref = 10, cert = "valid" } },
  zones  = { ["cloud.test"] = "insecure" },
  dns    = { "host.cloud.test. 300 IN A 127.25.0.11" },
  dns_faults = { { name = "mx1.example.test", fault = "cname:host.cloud.test" } },
  mta_sts = { mode = "enforce", id = "cn59", mx = { "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1h",
      set = { attack = { { "swap_cert", host = "mx1.example.test",
                           cert = { san = { "host.cloud.test" } } } } },
      expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" },
                 leak = false } },
  },
}
