-- expect: tamper-txt-text.lua:7: attack[1].text: text is the record served in mode "rewrite" only
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = { { "tamper_txt", text = "v=STSv1; id=evil" } },
  expect = { delivery = "verified" },
}
