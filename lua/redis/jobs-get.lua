-- jobs-get.lua: jobs by id (Backend.jobGet, and lists filtered by ids).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV: job ids. Returns one record per id (the job record's columns, in order); a missing
-- job's record is all nil.
local out = {}
for i = 1, #ARGV do out[i] = hmget_job(ARGV[i]) end
return out
