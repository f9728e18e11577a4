-- jobs-prune.lua: retention of finished jobs (Backend.jobsPrune).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: keep at most this many per queue and final state ('' for no count limit). ARGV[2]:
--   the time (ms) before which events are deleted ('' for none). Then pairs: a final state, and
--   the time (ms) before which its jobs are deleted ('' for none).
-- Deletes without events, as every engine's retention does. Events go by whole minutes of the
-- engine's clock (the minute marks that common.lua's flush writes): those of the minutes that
-- ended before the time. Returns how many jobs were deleted.
local keep = tonumber(ARGV[1])
local n = 0
if ARGV[2] ~= '' then
  local minute = string.format('%.0f', math.floor(tonumber(ARGV[2]) / 60000) * 60000)
  local marks = P .. 'events:marks'
  local first = redis.call('ZRANGEBYSCORE', marks, minute, '+inf', 'LIMIT', 0, 1)
  if #first > 0 then
    redis.call('XTRIM', P .. 'events', 'MINID', '0-' .. first[1])
    redis.call('ZREMRANGEBYSCORE', marks, '-inf', '(' .. minute)
  end
end
for _, q in ipairs(redis.call('SMEMBERS', QUEUES)) do
  for i = 3, #ARGV, 2 do
    local key = done_key(q, ARGV[i])
    local ids = {}
    if ARGV[i + 1] ~= '' then ids = redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. ARGV[i + 1]) end
    for _, id in ipairs(ids) do remove_job(id) end
    n = n + #ids
    if keep then
      local excess = redis.call('ZCARD', key) - keep
      if excess > 0 then
        local old = redis.call('ZRANGE', key, 0, excess - 1)
        for _, id in ipairs(old) do remove_job(id) end
        n = n + #old
      end
    end
  end
end
apply_counts()
return n
