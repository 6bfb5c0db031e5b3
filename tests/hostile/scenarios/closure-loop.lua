-- hostile: a loop hidden in metamethods (__index calling itself forever)
-- expect: 5: instruction limit (50000000) exceeded
local t = setmetatable({}, { __index = function(t, k)
  local n = 0
  for i = 1, math.maxinteger do n = n + i end
  return n
end })
return t.x
