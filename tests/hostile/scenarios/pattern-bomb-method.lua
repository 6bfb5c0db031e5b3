-- hostile: backtracking through a string method and lazy repetitions
-- expect: 4: pattern too complex for the sandbox (string.match
local s = ("a"):rep(5000)
local a, b, c = s:match("(.-)(.-)(.-)x")
return {}
