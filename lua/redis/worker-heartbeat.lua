-- worker-heartbeat.lua: registers or refreshes a worker (Backend.workerHeartbeat).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: worker id. ARGV[3]: its registration (JSON). ARGV[4]: last seen (ms).
-- Emits worker.joined the first time.
local now_s, id = ARGV[1], ARGV[2]
local new = redis.call('HSET', P .. 'workers', id, ARGV[3])
redis.call('ZADD', P .. 'workers:seen', ARGV[4], id)
if new == 1 then emit('worker.joined', false, false, false, false, false, id) end
flush(now_s)
return new
