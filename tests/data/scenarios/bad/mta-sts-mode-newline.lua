-- expect: mta-sts-mode-newline.lua:8: mta_sts.mode: one line, without CR, LF or NUL
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { id = "1",
              mode = "enforce\nmx: evil.attacker.test" },
  expect = { delivery = "verified" },
}
