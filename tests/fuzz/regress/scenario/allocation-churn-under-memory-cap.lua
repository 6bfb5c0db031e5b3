-- Each iteration is a handful of instructions but allocates 200 KB (and
-- frees it): under the memory cap, and 50 million instructions would
-- take hours.  Allocations count against the instruction budget, so
-- this fails within a second or two with the instruction limit.
while true do
  local s = string.rep("x", 100000)
end
