-- expect: returns-nothing.lua:1: a scenario file must return a table
local t = {}
