-- hostile: gmatch over a long subject with several repetitions
-- expect: 4: pattern too complex for the sandbox (string.gmatch
local s = ("ab"):rep(50000)
for x in s:gmatch("(a*)(b*)(a*)(b*)c") do end
return {}
