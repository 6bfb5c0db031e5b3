-- hostile: a plain find of a long needle in a 16 MiB subject (memcmp at
-- every position, no instruction counted)
-- expect: 6: pattern too complex for the sandbox (string.find
local s = ("a"):rep(1 << 24)
local needle = ("a"):rep(8192) .. "b"
return s:find(needle, 1, true)
