-- expect: runtime-error.lua:7: attempt to index a nil value (local 'hosts')
local hosts = nil
return {
  title = "x",
  refs = {},
  domain = "example.test",
  mx = { { host = hosts.primary } },
  expect = { delivery = "verified" },
}
