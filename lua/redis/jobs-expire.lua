-- jobs-expire.lua: waiting jobs past their deadline → `expired` (Backend.jobsExpire).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: most jobs to expire. ARGV[3]: comma-separated states that expire
--   (the core's EXPIRABLE_STATES). ARGV[4]: most deadline entries to look at.
-- Entries of finished or deleted jobs are dropped from the deadline index on the way; running
-- jobs keep theirs (they may retry). Returns how many expired.
local now_s = ARGV[1]
local limit, budget = tonumber(ARGV[2]), tonumber(ARGV[4])
local expirable = ',' .. ARGV[3] .. ','
local n = 0
local due = redis.call('ZRANGEBYSCORE', DEADLINES, '-inf', '(' .. now_s, 'LIMIT', 0, budget)
for _, id in ipairs(due) do
  if n >= limit then break end
  local state = redis.call('HGET', jkey(id), 'state')
  if state and string.find(expirable, ',' .. state .. ',', 1, true) then
    finish_job(id, 'expired', now_s)
    n = n + 1
  elseif not state or not LIVE[state] then
    redis.call('ZREM', DEADLINES, id)
  end
end
flush(now_s)
return n
