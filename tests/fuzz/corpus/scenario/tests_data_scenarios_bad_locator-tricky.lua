-- expect: locator-tricky.lua:16: mx[2].pref: expected integer, got 20.5
local note = [==[ a long string with { braces } and mx = { } ]==]
--[[ a long comment: mx = { { host = "x", pref = 1 } }
]]
local function mx(n, extra)
  local t = { host = "mx" .. n .. ".example.test", pref = n * 10 }
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end
local s = {
  title = "a title with } and { and \" quotes = {",
  refs = { 'RFC 5321; }', "x" }, domain = "example.test",
  mx = {
    mx(1),
    { host = "mx2.example.test", -- pref = "a comment"
      pref = 20.5 },
  },
  expect = { delivery = "verified" },
}
return s
