-- common.lua: helpers the scripts of the Redis engine share. The engine prepends to each script,
-- when it loads it, the parts of this file that the script uses (directly or through another
-- part), in this file's order, and replaces the upper-case placeholders in double underscores
-- with values derived from the core (src/engines/redis/scripts.ts): the job record's columns,
-- the state lists, limits. A part starts with a line `-- part: <the local names it defines>`.
-- What a script does not use is left out because this runs on every call: each closure and
-- table made here is work and garbage for Redis's Lua, most of all on a server idle until the call.
--
-- KEYS[1] of every script: the namespace's base key, `{prefix}:`. Every other key is that base
-- plus a suffix (docs/redis.md, "Keys"), so all share one hash tag and one cluster slot.
-- Times are ms since the epoch, always passed in by the engine (never Redis TIME).

local P = KEYS[1]
-- part: columns
-- The record's columns, made on first use (most scripts that include this never read a whole record).
local COLUMNS
local function columns()
  COLUMNS = COLUMNS or __JOB_COLUMNS__
  return COLUMNS
end
-- part: claim_columns
-- The columns a claim returns: the fields it neither sets itself nor finds empty (CLAIM_READ_FIELDS).
local function claim_columns()
  return __CLAIM_COLUMNS__
end
-- part: LIVE
local LIVE = __LIVE_STATES__
-- part: WAKING
local WAKING = __WAKING_STATES__
-- part: EVENT_FOR_STATE
local EVENT_FOR_STATE = __EVENT_FOR_STATE__
-- part: RUN_AT_OFFSET
-- runAt + this is never negative (the earliest time the core accepts is year 1), so the ready
-- set's members, `<runAt + offset, 16 digits>|<id>`, sort by runAt, then id.
local RUN_AT_OFFSET = __RUN_AT_OFFSET__
-- part: jkey
local function jkey(id) return P .. 'job:' .. id end
-- part: qkey
local function qkey(q) return P .. 'q:' .. q end
-- part: ready_key
local function ready_key(q) return P .. 'ready:' .. q end
-- part: delayed_key
local function delayed_key(q) return P .. 'delayed:' .. q end
-- part: running_key
local function running_key(q) return P .. 'running:' .. q end
-- part: wake_key
-- A queue's wake-up stream (its newest entry only): a worker waiting to claim blocks on it
-- (jobs-claim.lua, src/engines/redis/wake-claim.ts).
local function wake_key(q) return P .. 'wakes:' .. q end
-- part: done_key
local function done_key(q, state) return P .. 'done:' .. q .. ':' .. state end
-- part: unique_key
local function unique_key(k) return P .. 'unique:' .. k end
-- part: IDS
local IDS = P .. 'ids'
-- part: QUEUES
local QUEUES = P .. 'queues'
-- part: DEADLINES
local DEADLINES = P .. 'deadlines'
-- part: rmember
-- Integer formatting (`%d`), not `%.0f`: the float path of printf costs Redis several times more.
local function rmember(run_at, id)
  return string.format('%016d|%s', run_at + RUN_AT_OFFSET, id)
end
-- part: ready_score
-- A ready-set score, -priority, made from the priority's text: a number argument to redis.call
-- is formatted by Redis with printf's float path, which costs more than the command it is for.
local function ready_score(priority)
  local p = tostring(priority)
  if p == '0' then return '0' end
  if string.byte(p, 1) == 45 then return string.sub(p, 2) end
  return '-' .. p
end
-- part: member_id
local function member_id(m) return string.sub(m, 18) end
-- part: member_run_at
local function member_run_at(m) return tonumber(string.sub(m, 1, 16)) - RUN_AT_OFFSET end
-- part: set_of
local function set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end
-- part: DELTA count apply_counts
-- Count changes, applied once per (queue, state) at the end of a script.
local DELTA = {}
local function count(q, state, n)
  local d = DELTA[q]
  if not d then d = {}; DELTA[q] = d end
  d[state] = (d[state] or 0) + n
end
local function apply_counts()
  for q, d in pairs(DELTA) do
    for state, n in pairs(d) do
      if n ~= 0 then redis.call('HINCRBY', qkey(q), state, n) end
    end
  end
  DELTA = {}
end
-- part: settings_of
-- A queue's settings: the stored JSON document of the core's QueueSettingsRecord. `text`: the
-- document as the script read it already (false for none), so it is not read twice.
local function settings_of(q, text)
  if text == nil then text = redis.call('HGET', qkey(q), 'settings') end
  local s = {}
  if text then s = cjson.decode(text) end
  if s.concurrency == cjson.null then s.concurrency = nil end
  if s.sizeCap == cjson.null then s.sizeCap = nil end
  return s
end
-- part: EV TYPES WAKE QUOTED int_text quoted name emit
-- Events: one stream entry per script, its events numbered by the `seq` counter.
-- A job event is written by hand, not with cjson: its type, id, job type, queue and state are
-- names the core validated (letters, digits and `_ . : - /`, nothing JSON escapes); the worker
-- id and the extra JSON are encoded once each.
local EV = {}
local TYPES = {}
local WAKE = {}
local QUOTED = {}
-- An attempt number as text; one given as text already (as stored) is used as it is.
local function int_text(v)
  if type(v) == 'string' then return v end
  return string.format('%d', v)
end
local function quoted(v)
  if not v then return 'false' end
  local q = QUOTED[v]
  if not q then
    q = cjson.encode(v)
    QUOTED[v] = q
  end
  return q
end
local function name(v)
  if not v then return 'false' end
  return '"' .. v .. '"'
end
local function emit(t, id, jtype, q, state, attempt, worker, extra)
  EV[#EV + 1] = '["' .. t .. '",' .. name(id) .. ',' .. name(jtype) .. ',' .. name(q) .. ',' .. name(state) .. ','
    .. (attempt and int_text(attempt) or 'false') .. ',' .. quoted(worker) .. ',' .. quoted(extra) .. ']'
  TYPES[t] = true
  if t == 'job.enqueued' and q and WAKING[state] then WAKE[q] = true end
end
-- part: job_tail emit_tail
-- emit in two steps: a job event's text after its id (job_tail) made once for the events of
-- many jobs alike (a batch enqueue's), then each event with its id (emit_tail).
local function job_tail(jtype, q, state, attempt, worker, extra)
  return ',' .. name(jtype) .. ',' .. name(q) .. ',' .. name(state) .. ','
    .. (attempt and int_text(attempt) or 'false') .. ',' .. quoted(worker) .. ',' .. quoted(extra) .. ']'
end
local function emit_tail(t, id, q, state, tail)
  EV[#EV + 1] = '["' .. t .. '","' .. id .. '"' .. tail
  TYPES[t] = true
  if t == 'job.enqueued' and q and WAKING[state] then WAKE[q] = true end
end
-- part: TAILS cached_tail
-- job_tail made once per type, queue, state, attempt and worker: the jobs of a batch claim or
-- completion mostly share all five, and only the id differs from one event to the next.
local TAILS = {}
local function cached_tail(jtype, q, state, attempt, worker)
  local k = jtype .. '|' .. q .. '|' .. state .. '|' .. attempt .. '|' .. worker
  local t = TAILS[k]
  if not t then
    t = job_tail(jtype, q, state, attempt, worker)
    TAILS[k] = t
  end
  return t
end
-- part: emit_raw
-- An event the engine built from the core's own rules (JSON text); `wake`: the queue to wake.
local function emit_raw(text, t, wake)
  EV[#EV + 1] = text
  TYPES[t] = true
  if wake and wake ~= '' then WAKE[wake] = true end
end
-- part: flush
-- The queues to wake go in the entry (field `w`, which a process reading the stream hears
-- first: Redis answers a blocked XREAD before it writes to subscribers), in each queue's wake
-- stream (where a claim waits, see wake_key) and on the wake channel
-- (`<queues>,#<seq of the entry>`, for processes that do not read the stream); the seq lets a
-- process that gets both wake once (docs/redis.md, "Events and wake-ups").
local function flush(at)
  apply_counts()
  local n = #EV
  local w = {}
  for q in pairs(WAKE) do w[#w + 1] = q end
  local wake = ''
  if n > 0 then
    local last = redis.call('INCRBY', P .. 'seq', n)
    local types = ','
    for t in pairs(TYPES) do types = types .. t .. ',' end
    -- `%d`, not `%.0f` (see rmember).
    local id = string.format('%d', last)
    local fields = { 'f', string.format('%d', last - n + 1), 'at', at, 't', types, 'e', '[' .. table.concat(EV, ',') .. ']' }
    if #w > 0 then
      wake = table.concat(w, ',')
      fields[9], fields[10] = 'w', wake
      wake = wake .. ',#' .. id
    end
    redis.call('XADD', P .. 'events', 'MAXLEN', '~', __EVENTS_MAXLEN__, '0-' .. id, unpack(fields))
    -- Only to the streams a waiting claim made (NOMKSTREAM): a queue nobody waits on costs a lookup.
    for i = 1, #w do
      redis.call('XADD', wake_key(w[i]), 'NOMKSTREAM', 'MAXLEN', '1', '*', 'at', at)
    end
  end
  if wake ~= '' then redis.call('PUBLISH', P .. 'wake', wake) end
end
-- part: hmget_job
local function hmget_job(id)
  return redis.call('HMGET', jkey(id), unpack(columns()))
end
-- part: unique_held
-- True while `holder` keeps its unique key at `now` (the core's uniqueKeyHeld).
local function unique_held(holder, now)
  local h = redis.call('HMGET', jkey(holder), 'state', 'finished_at', 'unique_window_ms')
  if not h[1] then return false end
  if LIVE[h[1]] then return true end
  if not h[2] or not h[3] then return false end
  return tonumber(h[2]) + tonumber(h[3]) > now
end
-- part: unindex
-- Removes a job from the index of its state (ready, delayed, running or done).
local function unindex(id, q, state, priority, run_at)
  if state == 'queued' then
    redis.call('ZREM', ready_key(q), rmember(run_at, id))
  elseif state == 'scheduled' or state == 'retrying' then
    redis.call('ZREM', delayed_key(q), id)
  elseif state == 'running' then
    redis.call('ZREM', running_key(q), id)
  else
    redis.call('ZREM', done_key(q, state), id)
  end
end
-- part: finish_job
-- Ends a waiting or running job in a final state (cancelled, expired) and emits its event.
local function finish_job(id, state, now_s)
  local h = redis.call('HMGET', jkey(id), 'state', 'queue', 'priority', 'run_at', 'type', 'attempts', 'worker_id',
    'deadline')
  unindex(id, h[2], h[1], h[3], h[4])
  redis.call('HSET', jkey(id), 'state', state, 'finished_at', now_s)
  redis.call('HDEL', jkey(id), 'lease_until')
  redis.call('ZADD', done_key(h[2], state), now_s, id)
  if h[8] then redis.call('ZREM', DEADLINES, id) end
  count(h[2], h[1], -1)
  count(h[2], state, 1)
  emit(EVENT_FOR_STATE[state], id, h[5], h[2], state, tonumber(h[6]), h[7])
end
-- part: remove_job
-- Deletes a job and every index entry of it; answers its event fields.
local function remove_job(id)
  local h = redis.call('HMGET', jkey(id), 'state', 'queue', 'priority', 'run_at', 'type', 'attempts', 'worker_id',
    'deadline', 'unique_key')
  if not h[1] then return nil end
  unindex(id, h[2], h[1], h[3], h[4])
  redis.call('DEL', jkey(id))
  redis.call('ZREM', IDS, id)
  if h[8] then redis.call('ZREM', DEADLINES, id) end
  if h[9] and redis.call('GET', unique_key(h[9])) == id then redis.call('DEL', unique_key(h[9])) end
  count(h[2], h[1], -1)
  return h
end
-- part: make_ready
-- Moves a waiting job to `queued` (ready set), as of `run_at`.
local function make_ready(id, q, from, priority, run_at)
  redis.call('ZREM', delayed_key(q), id)
  redis.call('ZADD', ready_key(q), ready_score(priority), rmember(run_at, id))
  count(q, from, -1)
  count(q, 'queued', 1)
end
