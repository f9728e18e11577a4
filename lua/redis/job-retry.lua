-- job-retry.lua: a finished job → `queued` with a fresh attempt budget (Backend.jobRetry).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: job id. ARGV[3]: comma-separated states it may be retried from
--   (the core's state machine).
-- The retry is recorded in `retries` ({at, from, attempts}); errors are kept. Returns
-- {'!missing'}, {'!state', state}, {'!unique', key, holder} when refused, else the record.
local now_s, id = ARGV[1], ARGV[2]
local now = tonumber(now_s)
local h = redis.call('HMGET', jkey(id), 'state', 'queue', 'priority', 'run_at', 'type', 'attempts', 'deadline',
  'unique_key', 'retries')
local state, q = h[1], h[2]
if not state then return { '!missing' } end
if not string.find(',' .. ARGV[3] .. ',', ',' .. state .. ',', 1, true) then return { '!state', state } end
if h[8] then
  local holder = redis.call('GET', unique_key(h[8]))
  if holder and holder ~= id and unique_held(holder, now) then return { '!unique', h[8], holder } end
  redis.call('SET', unique_key(h[8]), id)
end
unindex(id, q, state, h[3], h[4])
local entry = '{"at":' .. now_s .. ',"from":' .. cjson.encode(state) .. ',"attempts":' .. h[6] .. '}'
local retries = h[9]
if not retries or retries == '[]' then retries = '[' .. entry .. ']' else retries = string.sub(retries, 1, -2) .. ',' .. entry .. ']' end
redis.call('HSET', jkey(id), 'state', 'queued', 'attempts', '0', 'run_at', now_s, 'retries', retries)
redis.call('HDEL', jkey(id), 'started_at', 'finished_at', 'worker_id', 'lease_until', 'result', 'progress')
redis.call('ZADD', ready_key(q), ready_score(h[3]), rmember(now_s, id))
if h[7] then redis.call('ZADD', DEADLINES, h[7], id) end
redis.call('SADD', QUEUES, q)
count(q, state, -1)
count(q, 'queued', 1)
emit('job.enqueued', id, h[5], q, 'queued', 0)
flush(now_s)
return hmget_job(id)
