-- hostile: string.rep with a separator and concat doubling
-- expect: 4: memory limit (67108864 bytes) exceeded
local s = ("x"):rep(1 << 20)
local t = s:rep(200, s)
return { title = t }
