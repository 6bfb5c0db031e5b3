-- The MTA-STS and TLSRPT keys: defaults, raw values, phases.
return {
  title = "MTA-STS keys",
  refs = { "RFC 8461 3" },
  domain = "example.test",
  mx = { { host = "mx1.example.test" }, { host = "mx2.example.test" } },
  mta_sts = { mode = "testing", max_age = 86400 },
  tlsrpt = { rua = { "https://tlsrpt.example.test/v1", "mailto:tlsrpt@example.test" } },
  attack = { { "tamper_policy", mode = "replace", text = "version: STSv1\nmode: none\nmax_age: 1\n",
               nth = 1 },
             { "tamper_txt", mode = "rewrite", text = { "v=STSv1; id=evil", { "v=spf1", " -all" } } } },
  phases = {
    { expect = { delivery = "verified" } },
    { advance = "1d",
      set = { mta_sts = { id = "two", mx = { "*.example.test", "mx*.example.test" },
                          max_age = "1e6", txt = { "v=STSv1; id=two", { "v=STSv1; ", "id=x\"y" } },
                          variant = "redirect-307", cert = "expired",
                          body = "version: STSv1\r\nmode: enforce\r\n" },
              tlsrpt = { txt = "v=TLSRPTv1;rua=mailto:a@example.test" },
              attack = {} },
      expect = { delivery = "refused" } },
    { set = { mta_sts = false }, expect = { delivery = "plaintext" } },
  },
}
