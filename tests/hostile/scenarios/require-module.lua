-- hostile: load a C module through require / package.loadlib
-- expect: 3: attempt to call a nil value (global 'require')
local posix = require("posix")
return package.loadlib("libc.so.6", "system")
