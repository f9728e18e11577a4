-- queue-update.lua: replaces a queue's settings if they are still what the engine read (Backend.queueUpdate).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: queue. ARGV[3]: the settings JSON read before ('' for none).
--   ARGV[4]: the new settings JSON (the core's queueSettingsApply). ARGV[5 ..]: triples of the
--   events the core's queueChangeEvents made: type, event JSON, queue to wake ('' for none).
-- Returns 0 when the settings changed meanwhile (the engine reads and tries again), else 1.
local now_s, q = ARGV[1], ARGV[2]
local cur = redis.call('HGET', qkey(q), 'settings') or ''
if cur ~= ARGV[3] then return 0 end
redis.call('HSET', qkey(q), 'settings', ARGV[4])
redis.call('SADD', QUEUES, q)
for i = 5, #ARGV, 3 do emit_raw(ARGV[i + 1], ARGV[i], ARGV[i + 2]) end
flush(now_s)
return 1
