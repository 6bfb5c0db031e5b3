-- expect: tamper-txt-nth.lua:7: attack[1].nth: tamper_txt takes no nth (its parameters: host, mode, text)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = { { "tamper_txt", nth = 1 } },
  expect = { delivery = "verified" },
}
