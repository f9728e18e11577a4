-- jobs-lease-renew.lua: extends the leases a worker still holds (Backend.jobsLeaseRenew).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: worker id. ARGV[2]: new lease end (ms). ARGV[3 ..]: job ids.
-- Returns the ids the worker no longer holds.
local worker, lease = ARGV[1], ARGV[2]
local lost = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local h = redis.call('HMGET', jkey(id), 'state', 'worker_id', 'queue')
  if h[1] ~= 'running' or h[2] ~= worker then
    lost[#lost + 1] = id
  else
    redis.call('HSET', jkey(id), 'lease_until', lease)
    redis.call('ZADD', running_key(h[3]), 'XX', lease, id)
  end
end
return lost
