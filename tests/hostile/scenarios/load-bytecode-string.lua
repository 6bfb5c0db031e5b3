-- hostile: build bytecode with string.dump and load it
-- expect: 3: attempt to call a nil value (field 'dump')
local bc = string.dump(function() return 1 end)
return load(bc, "x", "b")
