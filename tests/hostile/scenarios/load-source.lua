-- hostile: compile code at run time with load
-- expect: 4: attempt to call a nil value (global 'load')
local code = "return os"
local f = load(code)
return f()
