-- hostile: __gc added to the metatable after setmetatable (Lua does not
-- mark the object then, so this finalizer never runs), then a spin
-- expect: 7: instruction limit (50000000) exceeded
local mt = {}
setmetatable({}, mt)
mt.__gc = function() while true do end end
while true do end
