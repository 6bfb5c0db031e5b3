-- Transport versus content: the message is S/MIME-encrypted end to end
-- (CMS enveloped-data to the recipient's certificate), and the attacker
-- strips STARTTLS.  A sender that requires TLS refuses; a weakened one
-- delivers in plaintext: the verdict records the leak, and that what the
-- attacker read was ciphertext ("content protected").
return {
  title  = "STARTTLS stripped, S/MIME-encrypted message, sender requires TLS",
  refs   = { "RFC 3207 6", "RFC 8551 3.3", "CONFORMANCE A8" },
  domain = "example.test",
  sender_tls = "encrypt",
  message = { smime = true },
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "strip_starttls", host = "mx1.example.test" } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
