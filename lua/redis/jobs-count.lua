-- jobs-count.lua: counts by state per queue (Backend.jobsCount, queuesList).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: comma-separated states. ARGV[2 ..]: queues; none for every known queue.
-- Returns {queue, settings JSON or false, count per state…} per queue.
local states = {}
for s in string.gmatch(ARGV[1], '[^,]+') do states[#states + 1] = s end
local queues = {}
if #ARGV > 1 then
  for i = 2, #ARGV do queues[#queues + 1] = ARGV[i] end
else
  queues = redis.call('SMEMBERS', QUEUES)
end
local out = {}
for _, q in ipairs(queues) do
  out[#out + 1] = { q, redis.call('HGET', qkey(q), 'settings'), redis.call('HMGET', qkey(q), unpack(states)) }
end
return out
