-- hostile: give strings a new metatable
-- expect: 3: bad argument #1 to 'setmetatable' (table expected, got string)
setmetatable("", { __index = function() return os end })
return {}
