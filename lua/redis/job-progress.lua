-- job-progress.lua: records progress while the worker holds the job (Backend.jobProgress).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: job id. ARGV[3]: worker id. ARGV[4]: progress as JSON text.
-- Returns 1 when recorded, 0 when the worker does not hold the job.
local now_s, id, worker, progress = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local h = redis.call('HMGET', jkey(id), 'state', 'worker_id', 'attempts', 'type', 'queue')
if h[1] ~= 'running' or h[2] ~= worker then return 0 end
redis.call('HSET', jkey(id), 'progress', progress)
emit('job.progress', id, h[4], h[5], 'running', tonumber(h[3]), worker, '{"progress":' .. progress .. '}')
flush(now_s)
return 1
