-- hostile: table.sort with an inconsistent order function on a big table
-- expect: 5:
local t = {}
for i = 1, 100000 do t[i] = i end
table.sort(t, function(a, b) return true end)
return {}
