-- expect: bad-starttls-error-mode.lua:8: attack[1].mode: bad value "refuse" (allowed: reply, close, drop)
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test" } },
  attack = {
    { "starttls_error", host = "mx1.example.test", mode = "refuse" },
  },
  expect = { delivery = "verified" },
}
