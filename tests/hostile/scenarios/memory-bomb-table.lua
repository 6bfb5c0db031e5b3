-- hostile: a table that grows until memory runs out, under pcall
-- expect: memory limit (67108864 bytes) exceeded
local t = {}
pcall(function()
  local i = 0
  while true do i = i + 1; t[i] = { i, tostring(i) } end
end)
return t
