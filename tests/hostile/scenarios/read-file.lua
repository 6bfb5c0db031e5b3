-- hostile: read a file with io.open
-- expect: 3: attempt to index a nil value (global 'io')
local f = io.open("/etc/passwd")
return { title = f:read("a") }
