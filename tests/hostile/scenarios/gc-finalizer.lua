-- hostile: a finalizer that loops forever (Lua runs finalizers with the
-- count hook off, so the sandbox refuses __gc outright)
-- expect: 4: __gc metamethods are not allowed in the sandbox
setmetatable({}, { __gc = function() while true do end end })
while true do end
