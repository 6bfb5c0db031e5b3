-- hostile: look for a hidden environment in upvalues of library functions
-- expect: 3: attempt to index a nil value (global 'debug')
local name, env = debug.getupvalue(string.format, 1)
return env
