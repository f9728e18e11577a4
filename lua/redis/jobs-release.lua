-- jobs-release.lua: fenced hand-back of claims that never started (Backend.jobsRelease).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). Then per item 3 values: id, worker id, attempt.
-- The job goes back to `queued` as if never claimed (attempts - 1, no worker, lease or start
-- time). Returns the ids not applied.
local now_s = ARGV[1]
local lost = {}
for i = 2, #ARGV, 3 do
  local id, worker, attempt = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local h = redis.call('HMGET', jkey(id), 'state', 'worker_id', 'attempts', 'type', 'queue', 'priority', 'run_at')
  if h[1] ~= 'running' or h[2] ~= worker or h[3] ~= attempt then
    lost[#lost + 1] = id
  else
    local q = h[5]
    local attempts = tonumber(attempt) - 1
    redis.call('HSET', jkey(id), 'state', 'queued', 'attempts', attempts)
    redis.call('HDEL', jkey(id), 'worker_id', 'lease_until', 'started_at')
    redis.call('ZREM', running_key(q), id)
    redis.call('ZADD', ready_key(q), ready_score(h[6]), rmember(h[7], id))
    count(q, 'running', -1)
    count(q, 'queued', 1)
    emit('job.enqueued', id, h[4], q, 'queued', attempts)
  end
end
flush(now_s)
return lost
