-- expect: code-with-drop.lua:9: attack[1].code: not with mode "drop" (it sends no reply)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "starttls_error", host = "mx1.example.test", mode = "drop",
      code = 454 },
  },
  expect = { delivery = "verified" },
}
