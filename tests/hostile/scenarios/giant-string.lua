-- hostile: a string of a terabyte (over Lua's own 2 GiB string limit)
-- expect: 3: resulting string too large
local s = string.rep("x", 1 << 40)
return { title = s }
