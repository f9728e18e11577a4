-- jobs-complete.lua: fenced batch completion (Backend.jobsComplete).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: one JSON list of strings, 6 per item: id, worker id, attempt,
--   result as JSON text ('' for none), `1` to delete the job instead of keeping it completed,
--   the extra fields of its job.completed event as JSON text ('' for none: the engine decides
--   what the event carries). One argument, not 6 a job, each of which cost the client and the
--   server more than the list's encoding.
-- An item applies only while the job runs with that worker and attempt. Returns the ids not
-- applied.
local now_s = ARGV[1]
local A = cjson.decode(ARGV[2])
local lost = {}
-- Per queue: the ids leaving the running set and the `score, id` pairs entering the completed
-- set, written in one command each at the end.
local left, done = {}, {}
-- A job.completed event; its text after the id made once for the batch's alike jobs when it
-- carries nothing else.
local function completed(id, jtype, q, attempt, worker, extra)
  if extra then return emit('job.completed', id, jtype, q, 'completed', attempt, worker, extra) end
  emit_tail('job.completed', id, q, 'completed', cached_tail(jtype, q, 'completed', attempt, worker))
end
for i = 1, #A, 6 do
  local id, worker, attempt, result, delete = A[i], A[i + 1], A[i + 2], A[i + 3], A[i + 4]
  local extra = A[i + 5]
  if extra == '' then extra = false end
  local h = redis.call('HMGET', jkey(id), 'state', 'worker_id', 'attempts', 'type', 'queue', 'deadline')
  if h[1] ~= 'running' or h[2] ~= worker or h[3] ~= attempt then
    lost[#lost + 1] = id
  else
    local q = h[5]
    if delete == '1' then
      remove_job(id)
      completed(id, h[4], q, attempt, worker, extra)
    else
      if result ~= '' then
        redis.call('HSET', jkey(id), 'state', 'completed', 'finished_at', now_s, 'result', result)
      else
        redis.call('HSET', jkey(id), 'state', 'completed', 'finished_at', now_s)
      end
      redis.call('HDEL', jkey(id), 'lease_until')
      if not left[q] then
        left[q], done[q] = {}, {}
      end
      local l, d = left[q], done[q]
      l[#l + 1] = id
      d[#d + 1] = now_s
      d[#d + 1] = id
      if h[6] then redis.call('ZREM', DEADLINES, id) end
      count(q, 'running', -1)
      count(q, 'completed', 1)
      completed(id, h[4], q, attempt, worker, extra)
    end
  end
end
for q, ids in pairs(left) do
  for i = 1, #ids, 1000 do redis.call('ZREM', running_key(q), unpack(ids, i, math.min(i + 999, #ids))) end
  local d = done[q]
  for i = 1, #d, 2000 do redis.call('ZADD', done_key(q, 'completed'), unpack(d, i, math.min(i + 1999, #d))) end
end
flush(now_s)
return lost
