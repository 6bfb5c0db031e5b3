-- hostile: a __gc placeholder set first, the looping function put in later
-- expect: 4: __gc metamethods are not allowed in the sandbox
local mt = { __gc = true }
setmetatable({}, mt)
mt.__gc = function() while true do end end
return {}
