-- expect: unknown-step.lua:9: mx[1].replies: unknown step "HELLO"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test",
           replies = {
             ehlo = "250 ok",
             HELLO = "250 hi",
           } } },
  expect = { delivery = "verified" },
}
