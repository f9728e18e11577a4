-- schedule-fire-claim.lua: compare-and-set of a schedule's fire (Backend.scheduleFireClaim).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: name. ARGV[2]: the lastFireAt expected (ms, '' for none). ARGV[3]: new lastFireAt.
--   ARGV[4]: new nextFireAt. ARGV[5]: now (ms), the new updatedAt.
-- Returns 1 when applied, 0 when another scheduler was first or the schedule is gone.
local key = P .. 'schedule:' .. ARGV[1]
local last = redis.call('HGET', key, 'last')
if not last or last ~= ARGV[2] then return 0 end
redis.call('HSET', key, 'last', ARGV[3], 'next', ARGV[4], 'updated', ARGV[5])
return 1
