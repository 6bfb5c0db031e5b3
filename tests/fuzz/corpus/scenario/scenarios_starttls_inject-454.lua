-- curl test 980: STARTTLS refused with 454, followed in the same segment
-- by the replies of a whole transaction.  A sender that requires TLS must
-- stop at the 454; one that goes on takes the injected replies for its
-- answers and sends the message in plaintext before the MX said a word.
return {
  title  = "STARTTLS answered 454 with a transaction's replies injected behind it",
  refs   = { "RFC 3207 4", "RFC 3207 4.2", "CONFORMANCE A8", "curl test 980" },
  domain = "example.test",
  sender_tls = "secure",
  mx     = { { host = "mx1.example.test", pref = 10 } },
  attack = { { "starttls_inject", host = "mx1.example.test", code = 454 } },
  expect = { delivery = "refused", tlsrpt = { "starttls-not-supported" }, leak = false },
}
