-- hostile: run a command through io.popen reached from _G
-- expect: 4: attempt to index a nil value (field 'io')
local g = _G._G._G
local p = g.io.popen("id")
return { title = p:read("a") }
