-- worker-remove.lua: removes workers (Backend.workerRemove, workersPrune).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: last-seen time (ms) before which workers go ('' for none).
--   ARGV[3 ..]: worker ids to remove.
-- Emits worker.left for each registered one. Returns their ids.
local now_s = ARGV[1]
local ids = {}
if ARGV[2] ~= '' then ids = redis.call('ZRANGEBYSCORE', P .. 'workers:seen', '-inf', '(' .. ARGV[2]) end
for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
local gone = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', P .. 'workers:seen', id)
  if redis.call('HDEL', P .. 'workers', id) == 1 then
    gone[#gone + 1] = id
    emit('worker.left', false, false, false, false, false, id)
  end
end
flush(now_s)
return gone
