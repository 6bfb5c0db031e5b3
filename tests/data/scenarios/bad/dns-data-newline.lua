-- expect: dns-data-newline.lua:9: attack[1].data: record data is one line
return {
  title = "x",
  refs = {},
  domain = "example.test",
  dnssec = "secure",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "spoof_mx", data = "10 a.test.\n20 b.test." },
  },
  expect = { delivery = "verified" },
}
