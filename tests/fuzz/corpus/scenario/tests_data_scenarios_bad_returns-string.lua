-- expect: returns-string.lua:4: a scenario file must return a table (return { title = ..., ... }), got string
local s = "not a table"

return s
