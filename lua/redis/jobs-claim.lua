-- jobs-claim.lua: claims due jobs for a worker (Backend.jobsClaim), at once or on a wake-up
-- (Backend.jobsClaimAwait).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: worker id. ARGV[3]: lease (ms). ARGV[4]: limit. ARGV[5]:
--   prefetch. ARGV[6]: JSON list of job types, or '' for any. ARGV[7]: how many ready entries
--   a queue's claim may look at and skip (other types, a passed deadline). ARGV[8]: most due
--   delayed jobs a queue's claim promotes. ARGV[9]: '' for a claim now; for a claim on wake-up,
--   the caller's poke id (below). ARGV[10 ..]: the queues, in preference order; on wake-up
--   followed by, per queue, the id of its wake stream's entry the caller saw last ('' for none).
-- Per queue: skip it paused; room as the core's claimRoom; promote due scheduled/retrying jobs
-- to ready; take from ready in order (priority desc, runAt, id). Returns the claimed records as
-- one JSON text: a list with, per job, the list of its CLAIM_COLUMNS values (the record's fields
-- a claim reads) in order, null for an absent field, text quoted, numbers and documents as
-- stored. One string, not a reply of 20 strings a job, which the client decoded one by one.
--
-- On wake-up the caller sent this right behind a blocking XREAD of the queues' wake streams and
-- its poke stream (`poke:<id>`, which it adds to to end the wait), so it runs the moment the
-- XREAD returns (src/engines/redis/wake-claim.ts). It claims only when a wake stream moved past
-- the id the caller saw (a queue's first wait claims at once), else claims nothing. Its now is
-- the later of ARGV[1] (when the caller sent it, up to a block earlier) and the time of the
-- wake-ups it answers (the enqueuer's clock), at most a block past ARGV[1]. Returns JSON
-- `[now, [wake stream ids seen, by queue], [records as above]]`.
local now_s, worker = ARGV[1], ARGV[2]
local now = tonumber(now_s)
local lease_ms = tonumber(ARGV[3])
local limit, prefetch = tonumber(ARGV[4]), tonumber(ARGV[5])
local types = nil
if ARGV[6] ~= '' then types = set_of(cjson.decode(ARGV[6])) end
local on_wake = ARGV[9] ~= ''
local nq = #ARGV - 9
if on_wake then nq = nq / 2 end

-- On wake-up: the id of each wake stream's newest entry as seen here, and the answer.
local seen
local function newest(key) return redis.call('XREVRANGE', key, '+', '-', 'COUNT', '1')[1] end
local function answer(rows) return '[' .. now_s .. ',["' .. table.concat(seen, '","') .. '"],' .. rows .. ']' end
if on_wake then
  redis.call('DEL', P .. 'poke:' .. ARGV[9])
  local woken, at = false, now
  seen = {}
  for i = 1, nq do
    local key = wake_key(ARGV[9 + i])
    local last = newest(key)
    if last then
      seen[i] = last[1]
      if last[1] ~= ARGV[9 + nq + i] then
        woken = true
        local t = tonumber(last[2][2])
        if t and t > at then at = t end
      end
    else
      -- Made here: an enqueue only adds to a wake stream that is there (NOMKSTREAM).
      seen[i] = redis.call('XADD', key, 'MAXLEN', '1', '*', 'at', now_s)
      woken = true
    end
  end
  if not woken then return answer('[]') end
  if at > now then
    now = math.min(at, now + __WAKE_BLOCK_MS__)
    now_s = string.format('%d', now)
  end
end
local lease = string.format('%d', now + lease_ms)
-- promote_max stays text: it only goes to redis.call (which formats a number as a float).
local budget, promote_max = tonumber(ARGV[7]), ARGV[8]
local CLAIMED = claim_columns()
-- Each claim column's position, from a table built when the script loads.
local CC = __CLAIM_POSITIONS__
local C_ATT, C_TYPE, C_DEADLINE = CC.attempts, CC.type, CC.deadline

-- A text value as JSON; cjson only when it holds what JSON escapes.
local function json_text(v)
  if not v then return 'null' end
  if string.find(v, '[%c"\\]') then return cjson.encode(v) end
  return '"' .. v .. '"'
end
-- A claimed record (`r`, the values of CLAIM_COLUMNS) as a JSON list: one concatenation made
-- from the columns' kinds (src/engines/redis/scripts.ts): text quoted with json_text, numbers
-- and documents as stored, an absent one null.
local function json_row(r)
  return __CLAIM_JSON_ROW__
end

-- The claimed records as JSON text, and their ids.
local out, out_ids = {}, {}

local taken, taken_capped = 0, 0

-- The core's claimRoom.
local function room(conc, running)
  local want = math.max(0, limit) + math.max(0, prefetch) - taken
  if not conc then return math.max(0, want) end
  return math.max(0, math.min(want, limit - taken_capped, conc - running))
end

local function promote(q)
  local due = redis.call('ZRANGEBYSCORE', delayed_key(q), '-inf', now_s, 'LIMIT', '0', promote_max)
  local promoted = {}
  for _, id in ipairs(due) do
    local h = redis.call('HMGET', jkey(id), 'state', 'priority', 'run_at', 'type', 'attempts')
    make_ready(id, q, h[1], h[2], h[3])
    redis.call('HSET', jkey(id), 'state', 'queued')
    promoted[#promoted + 1] = { id, h[4], h[5] }
  end
  return promoted
end

local function take(q, want)
  local got, members, ids = 0, {}, {}
  local offset, looked = 0, 0
  while got < want and looked <= budget do
    local chunk = redis.call('ZRANGE', ready_key(q), string.format('%d', offset), string.format('%d', offset + (want - got) - 1))
    if #chunk == 0 then break end
    for _, m in ipairs(chunk) do
      local id = member_id(m)
      local rec = redis.call('HMGET', jkey(id), unpack(CLAIMED))
      local ok = (not types or types[rec[C_TYPE]]) and (not rec[C_DEADLINE] or tonumber(rec[C_DEADLINE]) >= now)
      if ok then
        -- As text: a number argument to redis.call goes through printf's costly float path.
        local attempts = string.format('%d', rec[C_ATT] + 1)
        redis.call('HSET', jkey(id), 'state', 'running', 'attempts', attempts, 'worker_id', worker, 'lease_until',
          lease, 'started_at', now_s)
        rec[C_ATT] = attempts
        out[#out + 1] = json_row(rec)
        out_ids[#out_ids + 1] = id
        members[#members + 1] = m
        ids[#ids + 1] = lease
        ids[#ids + 1] = id
        got = got + 1
        emit_tail('job.started', id, q, 'running', cached_tail(rec[C_TYPE], q, 'running', attempts, worker))
      else
        looked = looked + 1
      end
      offset = offset + 1
    end
  end
  for i = 1, #members, 500 do
    redis.call('ZREM', ready_key(q), unpack(members, i, math.min(i + 499, #members)))
  end
  for i = 1, #ids, 1000 do
    redis.call('ZADD', running_key(q), unpack(ids, i, math.min(i + 999, #ids)))
  end
  count(q, 'queued', -got)
  count(q, 'running', got)
  return got
end

for i = 10, 9 + nq do
  local q = ARGV[i]
  local s = settings_of(q)
  if not s.paused then
    local running = 0
    if s.concurrency then running = redis.call('ZCARD', running_key(q)) end
    local n = room(s.concurrency, running)
    if n > 0 then
      local promoted = promote(q)
      local first = #out_ids + 1
      local got = take(q, n)
      taken = taken + got
      if s.concurrency then taken_capped = taken_capped + got end
      if #promoted > 0 then
        local took = {}
        for k = first, #out_ids do took[out_ids[k]] = true end
        for _, p in ipairs(promoted) do
          if not took[p[1]] then emit('job.enqueued', p[1], p[2], q, 'queued', tonumber(p[3])) end
        end
      end
    end
  end
end
flush(now_s)
local rows = '[' .. table.concat(out, ',') .. ']'
if not on_wake then return rows end
-- The wake-ups of the jobs this claim promoted and left are its own: seen from here.
for i = 1, nq do
  if WAKE[ARGV[9 + i]] then seen[i] = newest(wake_key(ARGV[9 + i]))[1] end
end
return answer(rows)
