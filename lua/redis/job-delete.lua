-- job-delete.lua: deletes a job (Backend.jobDelete).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2]: job id. ARGV[3]: comma-separated states it may be deleted from
--   ('' when forced: any).
-- Returns {'!missing'}, {'!state', state} when refused, else 1.
local now_s, id = ARGV[1], ARGV[2]
local state = redis.call('HGET', jkey(id), 'state')
if not state then return { '!missing' } end
if ARGV[3] ~= '' and not string.find(',' .. ARGV[3] .. ',', ',' .. state .. ',', 1, true) then
  return { '!state', state }
end
local h = remove_job(id)
emit('job.deleted', id, h[5], h[2], h[1], tonumber(h[6]), h[7])
flush(now_s)
return 1
