-- job-cancel.lua: a live job → `cancelled` (Backend.jobCancel).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: job id. ARGV[3]: comma-separated states it may be cancelled
--   from (the core's state machine).
-- Returns {'!missing'}, {'!state', state} when refused, else the record after the change.
local now_s, id = ARGV[1], ARGV[2]
local state = redis.call('HGET', jkey(id), 'state')
if not state then return { '!missing' } end
if not string.find(',' .. ARGV[3] .. ',', ',' .. state .. ',', 1, true) then return { '!state', state } end
finish_job(id, 'cancelled', now_s)
flush(now_s)
return hmget_job(id)
