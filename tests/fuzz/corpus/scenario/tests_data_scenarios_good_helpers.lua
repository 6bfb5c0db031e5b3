-- Built by code: locals, a helper function, string building.
local function mx(n, cert)
  return { host = string.format("mx%d.example.test", n), pref = n * 10,
           cert = cert }
end

local variants = { "valid", "expired" }
local s = {
  title = "Built " .. "by code",
  refs = {},
  domain = "example.test",
  mx = {},
  expect = { delivery = "verified" },
}
for i, v in ipairs(variants) do
  s.mx[#s.mx + 1] = mx(i, v)
end
return s
