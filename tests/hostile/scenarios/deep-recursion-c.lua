-- hostile: recursion through C functions (gsub callbacks, tostring)
-- expect: stack overflow
local function g(s) return (s:gsub(".", g)) end
return g("x")
