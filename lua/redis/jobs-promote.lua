-- jobs-promote.lua: due scheduled and retrying jobs of every queue → `queued` (Backend.jobsPromote).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: most jobs to promote.
-- Returns how many were promoted.
local now_s = ARGV[1]
local left = tonumber(ARGV[2])
local n = 0
for _, q in ipairs(redis.call('SMEMBERS', QUEUES)) do
  if left <= 0 then break end
  local due = redis.call('ZRANGEBYSCORE', delayed_key(q), '-inf', now_s, 'LIMIT', 0, left)
  for _, id in ipairs(due) do
    local h = redis.call('HMGET', jkey(id), 'state', 'priority', 'run_at', 'type', 'attempts')
    make_ready(id, q, h[1], h[2], h[3])
    redis.call('HSET', jkey(id), 'state', 'queued')
    emit('job.enqueued', id, h[4], q, 'queued', tonumber(h[5]))
  end
  n = n + #due
  left = left - #due
end
flush(now_s)
return n
