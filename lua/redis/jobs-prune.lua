-- jobs-prune.lua: retention of finished jobs (Backend.jobsPrune).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: keep at most this many per queue and final state ('' for no count limit). ARGV[2]:
--   the time (ms) before which events are deleted ('' for none). Then pairs: a final state, and
--   the time (ms) before which its jobs are deleted ('' for none).
-- Deletes without events, as every engine's retention does. Events go by their entries'
-- times (`at`, the engine's clock when written): the stream's ids are in seq order and so, near
-- enough, are their times, so the first entry at or after the time is found by bisecting the
-- ids, a few reads of one entry each, and those before it are trimmed. Returns how many jobs
-- were deleted.
local keep = tonumber(ARGV[1])
local n = 0
if ARGV[2] ~= '' then
  local before = tonumber(ARGV[2])
  local stream = P .. 'events'
  local seq_of = function(id) return tonumber(string.sub(id, 3)) end
  -- The time of the first entry whose id is at least `0-<s>`, and that entry's seq; nil past the last.
  local function first_from(s)
    local e = redis.call('XRANGE', stream, '0-' .. string.format('%d', s), '+', 'COUNT', 1)[1]
    if not e then return nil end
    local f = e[2]
    for i = 1, #f, 2 do
      if f[i] == 'at' then return tonumber(f[i + 1]), seq_of(e[1]) end
    end
    return nil
  end
  local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
  if head then
    local lo = seq_of(head[1])
    local hi = seq_of(redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1][1]) + 1
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      local at, s = first_from(mid)
      if at and at < before then lo = s + 1 else hi = mid end
    end
    redis.call('XTRIM', stream, 'MINID', '0-' .. string.format('%d', lo))
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
