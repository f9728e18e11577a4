-- jobs-count-finished.lua: completed and failed jobs per queue and minute (Backend.jobsCountFinished).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: since (ms). ARGV[2]: bucket length (ms). ARGV[3 ..]: queues.
-- Reads the finished sets (scored by finish time). Returns {queue, minute, completed, failed}
-- per queue and minute that has any.
local since, bucket = ARGV[1], tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  local q = ARGV[i]
  local by, order = {}, {}
  for k, state in ipairs({ 'completed', 'failed' }) do
    local r = redis.call('ZRANGEBYSCORE', done_key(q, state), since, '+inf', 'WITHSCORES')
    for j = 2, #r, 2 do
      local m = math.floor(tonumber(r[j]) / bucket) * bucket
      local row = by[m]
      if not row then
        row = { q, string.format('%.0f', m), 0, 0 }
        by[m] = row
        order[#order + 1] = row
      end
      row[2 + k] = row[2 + k] + 1
    end
  end
  for _, row in ipairs(order) do out[#out + 1] = row end
end
return out
