-- The attacker terminates TLS and rewrites the post-TLS EHLO list (only
-- an attacker inside the TLS can).  The certificate gives it away: a
-- sender that verifies refuses before it ever reads that list.
return {
  title  = "Post-TLS EHLO capabilities rewritten by an attacker terminating TLS",
  refs   = { "RFC 3207 4.2", "CONFORMANCE A2", "CONFORMANCE A10" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "swap_cert", host = "mx1.example.test", cert = "self-signed" },
             { "caps", host = "mx1.example.test", set = { "SIZE 1000", "AUTH PLAIN" } } },
  expect = { delivery = "refused", tlsrpt = { "certificate-not-trusted" }, leak = false },
}
