-- expect: infinite-loop.lua:4: instruction limit (50000000) exceeded
local n = 0
while true do
  n = n + 1
end
