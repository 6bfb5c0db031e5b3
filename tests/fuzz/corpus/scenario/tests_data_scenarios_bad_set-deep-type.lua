-- expect: set-deep-type.lua:13: phases[2].set.mx[1].cert.not_after: expected string, got number
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  phases = {
    { expect = { delivery = "verified" } },
    { set = {
        mx = {
          { host = "mx1.example.test",
            cert = { variant = "custom",
                     not_after = 1767225600 } },
        },
      },
      expect = { delivery = "tls" } },
  },
}
