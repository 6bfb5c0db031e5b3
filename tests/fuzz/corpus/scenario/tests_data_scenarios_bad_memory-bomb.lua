-- expect: memory-bomb.lua:4: memory limit (67108864 bytes) exceeded
local parts = {}
for i = 1, 1000000 do
  parts[i] = string.rep("x", 1024) .. i
end
