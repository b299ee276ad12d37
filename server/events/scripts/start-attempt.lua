-- A worker starts (or takes over) a task: it becomes the only writer (its lease, the BullMQ
-- job token), the attempt number goes up unless this is the first start, the attempt's
-- text starts empty, and a RUNNING event opens the attempt.
-- KEYS: meta, log, text   ARGV: lease, channel, body (RUNNING status event without seq/attempt)
-- Returns the attempt number, or -2 (log already ended), -3 (no log).
local cur = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'final')
if not cur[2] then return -3 end
if cur[3] == '1' then return -2 end
local attempt = tonumber(cur[2])
if cur[1] ~= 'QUEUED' then attempt = attempt + 1 end
local now = redis.call('TIME')
redis.call('HSET', KEYS[1], 'attempt', attempt, 'lease', ARGV[1], 'status', 'RUNNING', 'progress', 0, 'ak', '', 'touched', now[1] * 1000 + math.floor(now[2] / 1000))
redis.call('DEL', KEYS[3])
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local ev = '{"seq":' .. seq .. ',"attempt":' .. attempt .. ',' .. string.sub(ARGV[3], 2)
redis.call('XADD', KEYS[2], seq .. '-0', 'e', ev)
redis.call('PUBLISH', ARGV[2], ev)
return attempt
