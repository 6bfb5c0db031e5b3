-- hostile: string.format and table.concat building a huge string
-- expect: memory limit (67108864 bytes) exceeded
local parts = {}
for i = 1, 1 << 20 do parts[i] = string.format("%099d", i) end
return { title = table.concat(parts, ("y"):rep(100)) }
