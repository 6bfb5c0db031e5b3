-- hostile: table.move over 2^63 empty slots (a C loop that allocates
-- nothing and runs no Lua instruction)
-- expect: 5: table.move of
local t = {}
table.move(t, 1, math.maxinteger - 1, 2)
return {}
