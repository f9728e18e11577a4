-- jobs-fail.lua: fenced batch failure (Backend.jobsFail).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). Then per item 5 values: id, worker id, attempt, the error entry as JSON
--   text, retry time (ms; '' to fail for good).
-- With a retry time the job goes `retrying` (runAt = that time), else `failed`; the error is
-- appended either way. Returns the ids not applied.
local now_s = ARGV[1]
local lost = {}
for i = 2, #ARGV, 5 do
  local id, worker, attempt, err, retry_at = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local h = redis.call('HMGET', jkey(id), 'state', 'worker_id', 'attempts', 'type', 'queue', 'deadline', 'errors')
  if h[1] ~= 'running' or h[2] ~= worker or h[3] ~= attempt then
    lost[#lost + 1] = id
  else
    local q = h[5]
    local errors = h[7]
    if not errors or errors == '[]' then errors = '[' .. err .. ']' else errors = string.sub(errors, 1, -2) .. ',' .. err .. ']' end
    local state
    if retry_at ~= '' then
      state = 'retrying'
      redis.call('HSET', jkey(id), 'state', state, 'run_at', retry_at, 'errors', errors)
      redis.call('ZADD', delayed_key(q), retry_at, id)
    else
      state = 'failed'
      redis.call('HSET', jkey(id), 'state', state, 'finished_at', now_s, 'errors', errors)
      redis.call('ZADD', done_key(q, 'failed'), now_s, id)
      if h[6] then redis.call('ZREM', DEADLINES, id) end
    end
    redis.call('HDEL', jkey(id), 'lease_until')
    redis.call('ZREM', running_key(q), id)
    count(q, 'running', -1)
    count(q, state, 1)
    emit(EVENT_FOR_STATE[state], id, h[4], q, state, tonumber(attempt), worker,
      cjson.encode({ error = cjson.decode(err).message }))
  end
end
flush(now_s)
return lost
