-- TLS split, attacker's TLS towards the sender: the attacker answers the
-- sender's STARTTLS itself with a certificate for its own name (chained to
-- the trusted CA) and relays the dialogue to the MX in clear text, never
-- issuing STARTTLS upstream.  A sender that verifies the MX certificate
-- refuses; one that accepts any certificate hands the message to the
-- attacker, and the MX receives it in plaintext from the attacker's leg.
return {
  title  = "TLS split: attacker terminates the sender's STARTTLS, relays to the MX in clear",
  refs   = { "RFC 3207 4.1", "RFC 6125 6", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "tls_split", host = "mx1.example.test", mode = "sender-tls", cert = "attacker" } },
  expect = { delivery = "refused", tlsrpt = { "certificate-host-mismatch" }, leak = false,
             content = "protected" },
}
