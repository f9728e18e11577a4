-- events-top.lua: the seq of the newest event (0 when none): where a new subscriber starts.
-- KEYS[1]: base key `{prefix}:`.
return redis.call('GET', P .. 'seq') or '0'
