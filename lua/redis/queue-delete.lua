-- queue-delete.lua: deletes a queue's settings only while it holds no job (Backend.queueDelete).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: queue. ARGV[2]: comma-separated states (every state a job can be in).
-- Returns {deleted 0/1, jobs}.
local q = ARGV[1]
local jobs = 0
for s in string.gmatch(ARGV[2], '[^,]+') do jobs = jobs + (tonumber(redis.call('HGET', qkey(q), s)) or 0) end
if jobs > 0 then return { 0, jobs } end
local known = redis.call('SREM', QUEUES, q)
-- A claim waiting on the wake stream makes it again when its block ends (jobs-claim.lua).
redis.call('DEL', qkey(q), ready_key(q), delayed_key(q), running_key(q), wake_key(q))
return { known, 0 }
