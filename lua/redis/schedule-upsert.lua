-- schedule-upsert.lua: creates or replaces a schedule, keeping its creation time (Backend.scheduleUpsert).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: name. ARGV[2]: the record's other fields as JSON. ARGV[3]: lastFireAt (ms, '' for
--   none). ARGV[4]: nextFireAt (ms or ''). ARGV[5]: createdAt (ms). ARGV[6]: updatedAt (ms).
-- Times are kept as their own fields, compared and set as given. Returns the stored schedule
-- (as schedules-get.lua).
local key = P .. 'schedule:' .. ARGV[1]
redis.call('HSET', key, 'doc', ARGV[2], 'last', ARGV[3], 'next', ARGV[4], 'updated', ARGV[6])
redis.call('HSETNX', key, 'created', ARGV[5])
redis.call('SADD', P .. 'schedules', ARGV[1])
return redis.call('HMGET', key, 'doc', 'last', 'next', 'created', 'updated')
