/**
 * The scheduler's one Redis script: keeps a session on its worker while that worker is healthy,
 * else picks the least-loaded live worker and reserves a slot on it, atomically, so concurrent
 * requests on any number of API nodes never take the same last slot.
 *
 * KEYS[1]          the session's worker (string)
 * KEYS[2i], [2i+1] worker i's load report (hash) and its reservations (zset: id → expiry ms)
 * ARGV[1..5]       reservation TTL ms, session TTL ms, session id, excluded worker id, role
 * ARGV[5+i]        worker i's id
 *
 * Load is `active` (from the report) + live reservations: a reservation covers the time between
 * the pick and the next report that counts the transcode (the session's own reservation is not
 * counted against it when it stays: the report may already count its transcode). A report that is missing (TTL expired)
 * or draining, or of another role, makes the worker ineligible.
 * Hysteresis: a session stays while its worker's load ≤ capacity (its own transcode may be what
 * fills it); a new pick needs load < capacity. Less-loaded workers elsewhere never move a session.
 */
export const PICK_WORKER_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local reservationTtl = tonumber(ARGV[1])
local sessionTtl = tonumber(ARGV[2])
local sessionId, excluded, role = ARGV[3], ARGV[4], ARGV[5]
local count = (#KEYS - 1) / 2

local function usage(i, ownIgnored)
  local report = redis.call('HMGET', KEYS[2 * i], 'url', 'role', 'active', 'capacity', 'draining')
  if not report[1] or report[2] ~= role or report[5] == '1' or ARGV[5 + i] == excluded then return nil end
  local reservations = KEYS[2 * i + 1]
  redis.call('ZREMRANGEBYSCORE', reservations, '-inf', now)
  local reserved = redis.call('ZCARD', reservations)
  if ownIgnored and redis.call('ZSCORE', reservations, sessionId) then reserved = reserved - 1 end
  return (tonumber(report[3]) or 0) + reserved, tonumber(report[4]) or 0, report[1]
end

local current = redis.call('GET', KEYS[1])
if current then
  for i = 1, count do
    if ARGV[5 + i] == current then
      local used, capacity, url = usage(i, true)
      if used and used <= capacity then
        redis.call('PEXPIRE', KEYS[1], sessionTtl)
        return { 'sticky', current, url, '' }
      end
    end
  end
end

local best, bestUsed, bestCapacity, bestUrl
for i = 1, count do
  local used, capacity, url = usage(i, false)
  if used and used < capacity then
    if not best or used * bestCapacity < bestUsed * capacity or (used * bestCapacity == bestUsed * capacity and used < bestUsed) then
      best, bestUsed, bestCapacity, bestUrl = i, used, capacity, url
    end
  end
end
if not best then return { 'none', '', '', '' } end

local reservations = KEYS[2 * best + 1]
redis.call('ZADD', reservations, now + reservationTtl, sessionId)
redis.call('PEXPIRE', reservations, reservationTtl)
redis.call('SET', KEYS[1], ARGV[5 + best], 'PX', sessionTtl)
return { current and 'switched' or 'assigned', ARGV[5 + best], bestUrl, sessionId }
`;
