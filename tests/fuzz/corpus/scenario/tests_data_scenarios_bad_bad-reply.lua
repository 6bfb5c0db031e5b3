-- expect: bad-reply.lua:8: mx[1].replies.STARTTLS: bad reply "TLS not available"
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = "mx1.example.test",
           replies = {
             STARTTLS = "TLS not available",
           } } },
  expect = { delivery = "verified" },
}
