-- expect: mta-sts-txt-long.lua:7: mta_sts.txt[1][1]: a character-string holds at most 255 bytes
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  mta_sts = { txt = { { string.rep("a", 300) } } },
  expect = { delivery = "verified" },
}
