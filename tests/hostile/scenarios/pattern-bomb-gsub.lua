-- hostile: quadratic-and-worse gsub over a long subject
-- expect: 4: pattern too complex for the sandbox (string.gsub
local s = ("a"):rep(100000)
local r = s:gsub("a-a-a-b", "")
return {}
