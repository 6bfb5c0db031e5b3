-- hostile: reach the registry (and with it every library) through debug
-- expect: 3: attempt to index a nil value (global 'debug')
local reg = debug.getregistry()
return reg._LOADED.io
