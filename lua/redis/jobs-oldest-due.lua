-- jobs-oldest-due.lua: each queue's oldest due job (Backend.jobsFindOldestDue).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2 ..]: queues.
-- Walks the ready set once per priority present (its first entry holds the band's earliest
-- runAt), then the first delayed job if it is due. Returns the runAt (ms) or false per queue.
local now = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  local q = ARGV[i]
  local best = nil
  local first = redis.call('ZRANGE', ready_key(q), 0, 0, 'WITHSCORES')
  while #first > 0 do
    local t = member_run_at(first[1])
    if not best or t < best then best = t end
    first = redis.call('ZRANGEBYSCORE', ready_key(q), '(' .. first[2], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  end
  local d = redis.call('ZRANGE', delayed_key(q), 0, 0, 'WITHSCORES')
  if #d > 0 and tonumber(d[2]) <= now and (not best or tonumber(d[2]) < best) then best = tonumber(d[2]) end
  out[#out + 1] = best and string.format('%.0f', best) or false
end
return out
