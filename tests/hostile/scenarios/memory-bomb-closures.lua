-- hostile: closures and strings that keep memory alive
-- expect: memory limit (67108864 bytes) exceeded
local keep = {}
for i = 1, math.maxinteger do
  local s = ("x"):rep(4096) .. i
  keep[i] = function() return s end
end
