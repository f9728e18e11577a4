-- job-promote.lua: runs a delayed or retrying job now (Backend.jobPromote).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: job id. ARGV[3]: comma-separated states it may be promoted from
--   (the core's PROMOTABLE_STATES).
-- `queued` with runAt = now. Returns {'!missing'}, {'!state', state} when refused, else the record.
local now_s, id = ARGV[1], ARGV[2]
local h = redis.call('HMGET', jkey(id), 'state', 'queue', 'priority', 'type', 'attempts')
local state, q = h[1], h[2]
if not state then return { '!missing' } end
if not string.find(',' .. ARGV[3] .. ',', ',' .. state .. ',', 1, true) then return { '!state', state } end
make_ready(id, q, state, h[3], now_s)
redis.call('HSET', jkey(id), 'state', 'queued', 'run_at', now_s)
emit('job.enqueued', id, h[4], q, 'queued', tonumber(h[5]))
flush(now_s)
return hmget_job(id)
