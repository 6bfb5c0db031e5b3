-- hostile: an infinite loop that tries to catch the instruction limit
-- expect: 4: instruction limit (50000000) exceeded
while true do
  pcall(function() while true do end end)
end
