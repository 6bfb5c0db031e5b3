-- hostile: a returned table whose metamethods would run forever if the
-- loader called them (it reads raw)
-- expect: 4: title: missing required field
return setmetatable({}, {
  __index = function() while true do end end,
  __pairs = function() while true do end end,
  __len = function() while true do end end,
})
