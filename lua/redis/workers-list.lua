-- workers-list.lua: every registered worker (Backend.workersList).
-- KEYS[1]: base key `{prefix}:`.
-- Returns the registrations (JSON).
return redis.call('HVALS', P .. 'workers')
