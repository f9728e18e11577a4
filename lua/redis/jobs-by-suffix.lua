-- jobs-by-suffix.lua: jobs whose id ends with a text (JobFilter.idSuffix: short ids).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: a glob matching the ids (`*<suffix>`, glob characters escaped). ARGV[2]: most matches.
-- Scans the id index (ZSCAN … MATCH), not the job records. Returns the matches' records.
local out, cur = {}, '0'
repeat
  local r = redis.call('ZSCAN', IDS, cur, 'MATCH', ARGV[1], 'COUNT', 1000)
  cur = r[1]
  for i = 1, #r[2], 2 do
    if #out < tonumber(ARGV[2]) then out[#out + 1] = hmget_job(r[2][i]) end
  end
until cur == '0'
return out
