-- Three phases: the world of each is the previous one with `set` applied.
return {
  title = "Phases",
  refs = { "RFC 8461 5" },
  domain = "example.test",
  mx = { { host = "mx1.example.test", pref = 10 },
         { host = "mx2.example.test", pref = 20 } },
  attack = { { "block", host = "mx1.example.test", mode = "reset" } },
  tlsrpt = { rua = "https://tlsrpt.example.test/v1" },
  phases = {
    { deliver = 2, expect = { delivery = "verified", leak = false } },
    { advance = "2h",
      set = { mx = { { host = "mx3.example.test", pref = 5, cert = "expired" } },
              attack = {},
              sender_tls = "secure",
              dns = { "extra.example.test. 60 IN TXT \"x\"" } },
      expect = { delivery = "refused", tlsrpt = { "certificate-expired" } } },
    { advance = 90,
      set = { attack = { { "strip_starttls", host = "mx3.example.test" } },
              submit = { host = "mx3.example.test", tls = "optional" } },
      expect = { delivery = { "plaintext", "refused" } } },
    { advance = "3d", expect = { delivery = "tls" } },
  },
}
