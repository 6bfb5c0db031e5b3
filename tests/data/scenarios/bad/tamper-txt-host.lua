-- expect: tamper-txt-host.lua:7: attack[1].host: tamper_txt targets "mx1.example.test": it acts on _mta-sts.example.test or _smtp._tls.example.test only
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = { { "tamper_txt", host = "mx1.example.test" } },
  expect = { delivery = "verified" },
}
