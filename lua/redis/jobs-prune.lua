-- jobs-prune.lua: retention of finished jobs (Backend.jobsPrune).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: keep at most this many per queue and final state ('' for no count limit). Then pairs:
--   a final state, and the time (ms) before which its jobs are deleted ('' for none).
-- Deletes without events, as every engine's retention does. Returns how many were deleted.
local keep = tonumber(ARGV[1])
local n = 0
for _, q in ipairs(redis.call('SMEMBERS', QUEUES)) do
  for i = 2, #ARGV, 2 do
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
