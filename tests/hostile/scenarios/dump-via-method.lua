-- hostile: reach string.dump through a string's methods
-- expect: 3: attempt to call a nil value (method 'dump')
local bc = ("x"):dump()
return bc
