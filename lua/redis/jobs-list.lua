-- jobs-list.lua: one page of jobs, newest id first (Backend.jobsList, without text and ids).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: cursor (the last id of the page before; '' for the first page). ARGV[2]: limit.
--   ARGV[3]: most jobs to look at. ARGV[4]: JSON filter {states, queues, types, tags}, each a
--   list or absent.
-- Walks the id index from the cursor down, checking each job against the filter. Returns
-- {records, next cursor or false}: the cursor is false only when no job is left to look at.
local cursor, limit, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local f = cjson.decode(ARGV[4])
local states = f.states and set_of(f.states)
local queues = f.queues and set_of(f.queues)
local types = f.types and set_of(f.types)
local tags = f.tags
local out, looked = {}, 0
local from = '+'
if cursor ~= '' then from = '(' .. cursor end
while true do
  local ids = redis.call('ZREVRANGEBYLEX', IDS, from, '-', 'LIMIT', 0, math.min(500, budget - looked + 1))
  if #ids == 0 then return { out, false } end
  for _, id in ipairs(ids) do
    from = '(' .. id
    looked = looked + 1
    local h = redis.call('HMGET', jkey(id), 'state', 'queue', 'type', 'tags')
    local ok = h[1] and (not states or states[h[1]]) and (not queues or queues[h[2]]) and (not types or types[h[3]])
    if ok and tags then
      local has = set_of(cjson.decode(h[4] or '[]'))
      for _, t in ipairs(tags) do if not has[t] then ok = false end end
    end
    if ok then
      out[#out + 1] = hmget_job(id)
      if #out == limit then
        if #redis.call('ZREVRANGEBYLEX', IDS, from, '-', 'LIMIT', 0, 1) == 0 then return { out, false } end
        return { out, id }
      end
    end
    if looked >= budget then return { out, id } end
  end
end
