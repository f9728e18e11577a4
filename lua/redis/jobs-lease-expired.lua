-- jobs-lease-expired.lua: running jobs whose lease ended before now (Backend.jobsLeaseExpiredList).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: most jobs.
-- Changes nothing. Returns their records.
local now_s = ARGV[1]
local left = tonumber(ARGV[2])
local out = {}
for _, q in ipairs(redis.call('SMEMBERS', QUEUES)) do
  if left <= 0 then break end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', running_key(q), '-inf', '(' .. now_s, 'LIMIT', 0, left)) do
    out[#out + 1] = hmget_job(id)
    left = left - 1
  end
end
return out
