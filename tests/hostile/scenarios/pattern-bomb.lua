-- hostile: exponential backtracking in string.find (the count hook cannot
-- interrupt the C matcher)
-- expect: 5: pattern too complex for the sandbox (string.find
local s = ("a"):rep(40)
local i = string.find(s, ("a*"):rep(40) .. "b")
return {}
