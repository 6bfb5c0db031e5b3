-- expect: set-unknown-key.lua:9: phases[2].set: unknown key "domain" (allowed keys: mx, dns, attack, submit, sender_tls, dnssec, tlsrpt
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { set = { domain = "other.test" },
      expect = { delivery = "verified" } },
  },
}
