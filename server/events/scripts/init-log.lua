-- Creates a task's log with its first event (seq 1, QUEUED) and announces the task on
-- its stage's channel. Idempotent: a second call (the start-up sweep) changes nothing.
-- KEYS: meta, log   ARGV: taskChannel, stageChannel, body (event JSON without seq/attempt), taskId
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = redis.call('TIME')
redis.call('HSET', KEYS[1], 'seq', 1, 'status', 'QUEUED', 'attempt', 1, 'lease', '', 'progress', 0, 'final', '0', 'touched', now[1] * 1000 + math.floor(now[2] / 1000))
local ev = '{"seq":1,"attempt":1,' .. string.sub(ARGV[3], 2)
redis.call('XADD', KEYS[2], '1-0', 'e', ev)
redis.call('PUBLISH', ARGV[1], ev)
redis.call('PUBLISH', ARGV[2], '{"taskId":"' .. ARGV[4] .. '"}')
return 1
