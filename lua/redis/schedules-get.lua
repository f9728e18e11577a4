-- schedules-get.lua: schedules by name, or every one (Backend.scheduleGet, schedulesList).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV: names; none for every schedule. Returns per schedule {doc JSON, last, next, created,
-- updated} (nil fields for a missing one).
local names = ARGV
if #names == 0 then names = redis.call('SMEMBERS', P .. 'schedules') end
local out = {}
for i, name in ipairs(names) do
  out[i] = redis.call('HMGET', P .. 'schedule:' .. name, 'doc', 'last', 'next', 'created', 'updated')
end
return out
