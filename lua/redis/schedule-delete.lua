-- schedule-delete.lua: removes a schedule (Backend.scheduleDelete).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: name. Returns 1 when it existed.
redis.call('SREM', P .. 'schedules', ARGV[1])
return redis.call('DEL', P .. 'schedule:' .. ARGV[1])
