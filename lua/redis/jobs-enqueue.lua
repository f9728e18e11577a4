-- jobs-enqueue.lua: stores new jobs, all or none (Backend.jobsEnqueue).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: JSON list of the stored columns (every field of the job record).
--   ARGV[3]: JSON list of the jobs, each a list of strings: `1` when the id is fresh (generated
--   by Gantry, so no lookup), then the columns' encoded values ('' for null). One JSON text,
--   not an argument per value: a batch of 1000 jobs would be 27,000 arguments.
--   ARGV[4]: JSON list of [queue, settings JSON ('' for none)] pairs: the settings whose job
--   defaults the caller applied (the core's withQueueDefaults), '' when no job takes defaults.
-- Checks everything first (existing ids, unique keys, size caps with `reject`), then writes:
-- Lua has no rollback. Returns per job 1 (created as given) or {created 0/1, record}; or
-- {'!unique', key, holder} / {'!full', queue, cap} / {'!defaults', queue, its settings JSON
-- ('' for none)} when those are not what the caller applied, and writes nothing.
local now_s = ARGV[1]
if ARGV[4] ~= '' then
  for _, pair in ipairs(cjson.decode(ARGV[4])) do
    local cur = redis.call('HGET', qkey(pair[1]), 'settings') or ''
    if cur ~= pair[2] then return { '!defaults', pair[1], cur } end
  end
end
local now = tonumber(now_s)
local names = cjson.decode(ARGV[2])
local E = #names
local pos = {}
for i = 1, E do pos[names[i]] = i + 1 end
local jobs = cjson.decode(ARGV[3])
local njobs = #jobs

local status, seen, owner_of_key, adding = {}, {}, {}, {}
for j = 1, njobs do
  local job = jobs[j]
  local id = job[pos.id]
  if seen[id] then
    status[j] = 'dup'
  elseif job[1] ~= '1' and redis.call('EXISTS', jkey(id)) == 1 then
    status[j] = 'exists'
    seen[id] = true
  else
    status[j] = 'new'
    seen[id] = true
    local uk = job[pos.unique_key]
    if uk ~= '' then
      if owner_of_key[uk] then return { '!unique', uk, owner_of_key[uk] } end
      local holder = redis.call('GET', unique_key(uk))
      if holder and holder ~= id and unique_held(holder, now) then return { '!unique', uk, holder } end
      owner_of_key[uk] = id
    end
    local q = job[pos.queue]
    adding[q] = (adding[q] or 0) + 1
  end
end

-- Size caps (the core's sizeCapOverflow): `reject` refuses the batch, `drop-oldest` cancels.
local excess_of = {}
for q, n in pairs(adding) do
  local s = settings_of(q)
  if s.sizeCap then
    local c = redis.call('HMGET', qkey(q), 'scheduled', 'queued', 'retrying')
    local waiting = (tonumber(c[1]) or 0) + (tonumber(c[2]) or 0) + (tonumber(c[3]) or 0)
    local excess = waiting + n - s.sizeCap
    if excess > 0 then
      if s.sizePolicy ~= 'drop-oldest' then return { '!full', q, s.sizeCap } end
      excess_of[q] = excess
    end
  end
end

-- The sorted sets' new members, per key: `score, member` pairs, added in one command per key
-- (and per 1000 members) rather than one per job.
local zadds, zkeys = {}, {}
local function zadd_later(key, score, member)
  local pairs_of = zadds[key]
  if not pairs_of then
    pairs_of = {}
    zadds[key] = pairs_of
    zkeys[#zkeys + 1] = key
  end
  local n = #pairs_of
  pairs_of[n + 1] = score
  pairs_of[n + 2] = member
end

local P_ID, P_QUEUE, P_STATE, P_RUN_AT, P_PRIORITY = pos.id, pos.queue, pos.state, pos.run_at, pos.priority
local P_DEADLINE, P_UNIQUE, P_TYPE = pos.deadline, pos.unique_key, pos.type
local args = {}
for j = 1, njobs do
  if status[j] == 'new' then
    local job = jobs[j]
    local na = 0
    for i = 1, E do
      local v = job[i + 1]
      if v ~= '' then
        args[na + 1] = names[i]
        args[na + 2] = v
        na = na + 2
      end
    end
    local id = job[P_ID]
    local q = job[P_QUEUE]
    local state = job[P_STATE]
    local run_at = job[P_RUN_AT]
    redis.call('HSET', jkey(id), unpack(args, 1, na))
    zadd_later(IDS, 0, id)
    if state == 'queued' then
      zadd_later(ready_key(q), -tonumber(job[P_PRIORITY]), rmember(run_at, id))
    else
      zadd_later(delayed_key(q), run_at, id)
    end
    if job[P_DEADLINE] ~= '' then zadd_later(DEADLINES, job[P_DEADLINE], id) end
    local uk = job[P_UNIQUE]
    if uk ~= '' then redis.call('SET', unique_key(uk), id) end
    count(q, state, 1)
    emit('job.enqueued', id, job[P_TYPE], q, state, 0)
  end
end
for _, key in ipairs(zkeys) do
  local z = zadds[key]
  for i = 1, #z, 2000 do redis.call('ZADD', key, unpack(z, i, math.min(i + 1999, #z))) end
end
for q in pairs(adding) do redis.call('SADD', QUEUES, q) end

-- drop-oldest: the oldest waiting jobs (creation time, then id), the new ones among them.
local dropped = {}
for q, excess in pairs(excess_of) do
  local waiting = {}
  for _, m in ipairs(redis.call('ZRANGE', ready_key(q), 0, -1)) do waiting[#waiting + 1] = member_id(m) end
  for _, id in ipairs(redis.call('ZRANGE', delayed_key(q), 0, -1)) do waiting[#waiting + 1] = id end
  local created = {}
  for _, id in ipairs(waiting) do created[id] = tonumber(redis.call('HGET', jkey(id), 'created_at')) end
  table.sort(waiting, function(a, b)
    if created[a] ~= created[b] then return created[a] < created[b] end
    return a < b
  end)
  for i = 1, math.min(excess, #waiting) do
    finish_job(waiting[i], 'cancelled', now_s)
    dropped[waiting[i]] = true
  end
end

flush(now_s)
local out, reported = {}, {}
for j = 1, njobs do
  local id = jobs[j][pos.id]
  local isnew = status[j] == 'new'
  if isnew and not dropped[id] then
    out[j] = 1
  else
    out[j] = { isnew and 1 or 0, hmget_job(id) }
  end
end
return out
