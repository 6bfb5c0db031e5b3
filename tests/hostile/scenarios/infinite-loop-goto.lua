-- hostile: an infinite loop made of goto
-- expect: 4: instruction limit (50000000) exceeded
local n = 0
::again:: n = n + 1
goto again
