-- hostile: replace a string method for everyone through the string metatable
-- expect: 4: attempt to index a nil value (field '__index')
local mt = getmetatable("")
mt.__index.format = function() return "pwned" end
return {}
