-- expect: loop-under-pcall.lua:3: instruction limit (50000000) exceeded
local function spin()
  while true do end
end
for i = 1, 100 do pcall(spin) end
return { title = "escaped" }
