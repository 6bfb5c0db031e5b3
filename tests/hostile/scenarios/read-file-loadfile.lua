-- hostile: read (and run) a file with dofile / loadfile
-- expect: 3: attempt to call a nil value (global 'dofile')
local t = dofile("/etc/passwd")
return loadfile("/etc/shadow")
