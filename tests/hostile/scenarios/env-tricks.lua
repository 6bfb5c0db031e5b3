-- hostile: swap _ENV for a proxy that conjures hidden libraries
-- expect: 7: attempt to index a nil value (global 'io')
local real = _ENV
local _ENV = setmetatable({}, { __index = function(_, k)
  return rawget(real, k) or rawget(real, "package") and real.package.loaded[k]
end })
local f = io.open("/etc/passwd")
return {}
