-- events-publish.lua: appends events not tied to a change of a job (Backend.eventsPublish).
-- KEYS[1]: base key `{prefix}:`.
-- ARGV[1]: now (ms). ARGV[2 ..]: triples: type, event JSON, queue to wake ('' for none).
for i = 2, #ARGV, 3 do emit_raw(ARGV[i + 1], ARGV[i], ARGV[i + 2]) end
flush(ARGV[1])
return 1
