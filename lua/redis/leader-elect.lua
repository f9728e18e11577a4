-- leader-elect.lua: takes or renews a named lease (Backend.leaderElect, leaderResign).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: name. ARGV[3]: holder. ARGV[4]: until (ms), or '' to resign.
-- Returns 1 when the holder holds it after the call (resign: always 0).
local now, key, holder = tonumber(ARGV[1]), P .. 'leader:' .. ARGV[2], ARGV[3]
local cur = redis.call('HMGET', key, 'holder', 'until')
if ARGV[4] == '' then
  if cur[1] == holder then redis.call('DEL', key) end
  return 0
end
if cur[1] and cur[1] ~= holder and tonumber(cur[2]) > now then return 0 end
redis.call('HSET', key, 'holder', holder, 'until', ARGV[4])
return 1
