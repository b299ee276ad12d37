-- Appends events to a task's log, atomically: fence on the caller's lease, give each event
-- the next seq, add it to the stream (entry id <seq>-0), publish it. Because seq, log and
-- publish happen in one step, a live subscriber can only miss events already in the log.
-- KEYS: meta, log, text
-- ARGV: lease ('*' = the API, which may end a task whoever holds it), channel, n,
--       appendKey ('' = none: a writer's key for this append, so a replay after a lost reply is
--       recognised and not applied twice; a writer has one append in flight at a time),
--       then per event: body (JSON object without seq/attempt), status, delta, progress, final ('1'/'0')
-- Returns the seq of the last event, or -1 (lease lost), -2 (log already ended), -3 (no log).
local cur = redis.call('HMGET', KEYS[1], 'lease', 'final', 'attempt', 'ak', 'seq')
if not cur[3] then return -3 end
if ARGV[4] ~= '' and cur[4] == ARGV[4] then return tonumber(cur[5]) end
if cur[2] == '1' then return -2 end
if ARGV[1] ~= '*' and cur[1] ~= ARGV[1] then return -1 end
local attempt = cur[3]
local n = tonumber(ARGV[3])
local seq = 0
for i = 0, n - 1 do
  local b = 5 + i * 5
  seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  local ev = '{"seq":' .. seq .. ',"attempt":' .. attempt .. ',' .. string.sub(ARGV[b], 2)
  redis.call('XADD', KEYS[2], seq .. '-0', 'e', ev)
  redis.call('PUBLISH', ARGV[2], ev)
  if ARGV[b + 1] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[b + 1]) end
  if ARGV[b + 2] ~= '' then redis.call('APPEND', KEYS[3], ARGV[b + 2]) end
  if ARGV[b + 3] ~= '' then redis.call('HSET', KEYS[1], 'progress', ARGV[b + 3]) end
  if ARGV[b + 4] == '1' then redis.call('HSET', KEYS[1], 'final', '1') end
end
-- When the log last moved (ms): the sweep and the followers tell a stuck task by it.
local now = redis.call('TIME')
redis.call('HSET', KEYS[1], 'ak', ARGV[4], 'touched', now[1] * 1000 + math.floor(now[2] / 1000))
return seq
