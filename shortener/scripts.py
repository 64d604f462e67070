"""Lua scripts, for read-modify-write steps that must be atomic, and each(),
which runs one command on many keys of a slot in one call (bulk writes).

Every key a script touches arrives through KEYS, so Redis Cluster can route
it; the keys of one call share a hash tag (see keys.py), or for each() a
cluster slot (on a single server, any keys; APPLY_BATCH takes many hash
tags a call there too).
"""

from __future__ import annotations

from functools import lru_cache

# KEYS[1] the link's quota counter
# ARGV[1] max clicks
# Returns 1 and counts the click if the link has clicks left, else 0.
CLAIM_CLICK = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
  return 0
end
redis.call('INCR', KEYS[1])
return 1
"""

# KEYS[1] the catalogue's change log (stream)
# ARGV[1] entries kept (approximately), ARGV[2] codes of the links changed,
# space-separated, ARGV[3] ids of the campaigns changed, space-separated
# Appends one entry numbered one past the last one ("n"), so that a reader
# can tell from the numbers whether entries it has not read were trimmed, or
# the log was lost. Returns the new entry's number.
NOTE_CHANGES = """
local n = 1
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 then
  local fields = last[1][2]
  for i = 1, #fields, 2 do
    if fields[i] == 'n' then
      n = tonumber(fields[i + 1]) + 1
    end
  end
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
           'n', n, 'links', ARGV[2], 'campaigns', ARGV[3])
return n
"""

# KEYS[1] the campaign's orders hash, KEYS[2] campaign totals hash,
# KEYS[3] campaign day hash, KEYS[4] the campaign's conversions board (zset),
# KEYS[5] the campaign's converted clicks hash, KEYS[6] its conversions by time (zset)
# ARGV[1] external order id, ARGV[2] the conversion as JSON, ARGV[3] value,
# ARGV[4] TTL of the day hash in seconds, ARGV[5] advocate external id,
# ARGV[6] click id or '', ARGV[7] the conversion's time in milliseconds,
# ARGV[8] (optional) 'review' to hold it for review: recorded and listed, but
# counted nowhere, its order id added to KEYS[7], the campaign's review queue (zset)
# Returns {'repeat', stored JSON} for an order reported before,
# {'converted', order id} when the click id booked another order (nothing is
# counted in either case), or {'new', ''}.
RECORD_CONVERSION = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return {'repeat', redis.call('HGET', KEYS[1], ARGV[1])}
end
if ARGV[6] ~= '' then
  local booked = redis.call('HGET', KEYS[5], ARGV[6])
  if booked then
    return {'converted', booked}
  end
  redis.call('HSET', KEYS[5], ARGV[6], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[6], ARGV[7], ARGV[1])
if ARGV[8] == 'review' then
  redis.call('ZADD', KEYS[7], ARGV[7], ARGV[1])
  return {'new', ''}
end
for i = 2, 3 do
  redis.call('HINCRBY', KEYS[i], 'conversions', 1)
  redis.call('HINCRBYFLOAT', KEYS[i], 'conversion_value', ARGV[3])
end
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('ZINCRBY', KEYS[4], 1, ARGV[5])
return {'new', ''}
"""

# KEYS every key the operations name, by index: each hash tag's batches hash
# (writer id to the sequence of its last batch applied there) and its keys
# ARGV[1] writer id, ARGV[2] batch sequence (microseconds, increasing per writer),
# ARGV[3] the hash tags' operations as JSON, a list of groups, one per tag:
# [batches key index, op, op, ...], each op a list [op, key index, args...]:
#   "h" HINCRBY field n [field n ...]    "e" EXPIRE seconds
#   "x" XADD MAXLEN ~ maxlen * field value [...]
#   "s" SET value EX seconds             "t" XTRIM MINID id
#   "z" ZINCRBY member n [member n ...]
#   "f" HSET field value [field value ...]
#   "v" PFADD member [...] on a day's HyperLogLog, then add the rise of its
#       PFCOUNT to two hash fields: op = ["v", hll, hash, field, hash2, field2, member...]
# A group is applied unless its tag has seen this writer's batch, and then
# marked: a batch replayed from the spool after a crash or a failed reply
# counts once per tag, whichever tags a call carries (one on a Redis
# Cluster, where a call's keys share a slot; many on a single server).
# Returns how many groups were applied.
APPLY_BATCH = """
local sequence = tonumber(ARGV[2])
local applied = 0
for _, group in ipairs(cjson.decode(ARGV[3])) do
  local marks = KEYS[group[1]]
  local last = redis.call('HGET', marks, ARGV[1])
  if not last or tonumber(last) < sequence then
    for g = 2, #group do
      local op = group[g]
      local name, key = op[1], KEYS[op[2]]
      if name == 'h' then
        for i = 3, #op, 2 do
          redis.call('HINCRBY', key, op[i], op[i + 1])
        end
      elseif name == 'e' then
        redis.call('EXPIRE', key, op[3])
      elseif name == 'x' then
        redis.call('XADD', key, 'MAXLEN', '~', op[3], '*', unpack(op, 4))
      elseif name == 's' then
        redis.call('SET', key, op[3], 'EX', op[4])
      elseif name == 't' then
        redis.call('XTRIM', key, 'MINID', op[3])
      elseif name == 'f' then
        redis.call('HSET', key, unpack(op, 3))
      elseif name == 'z' then
        for i = 3, #op, 2 do
          redis.call('ZINCRBY', key, op[i + 1], op[i])
        end
      elseif name == 'v' then
        local before = redis.call('PFCOUNT', key)
        -- PFADD answers 0 when no register changed: the count cannot have risen.
        if redis.call('PFADD', key, unpack(op, 7)) == 1 then
          -- One member into an empty HyperLogLog: PFCOUNT would say 1.
          local added = 1
          if before > 0 or #op > 7 then
            added = redis.call('PFCOUNT', key) - before
          end
          if added > 0 then
            redis.call('HINCRBY', KEYS[op[3]], op[4], added)
            redis.call('HINCRBY', KEYS[op[5]], op[6], added)
          end
        end
      end
    end
    redis.call('HSET', marks, ARGV[1], ARGV[2])
    applied = applied + 1
  end
end
return applied
"""

# KEYS[1] a sorted set
# ARGV[1] member, ARGV[2] its new name
# Moves the member's score to the new name (added to any it has); returns 1 if it was there.
RENAME_MEMBER = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then
  return 0
end
redis.call('ZINCRBY', KEYS[1], score, ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
"""

# KEYS[1] a hash
# ARGV[1] field, ARGV[2] its new name
# Moves the field's value to the new name (an existing one is kept); returns 1 if it was there.
RENAME_FIELD = """
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then
  return 0
end
redis.call('HSETNX', KEYS[1], ARGV[2], value)
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
"""

# Schema 3 to 4: a month hash's fields spelled short.
# KEYS[1] a hash
# ARGV pairs of field, its new name ("" drops the field)
# Moves each field's value (as it is now) onto its new name, added to any there,
# and keeps the hash's time to live; returns how many fields were moved.
MOVE_FIELDS = """
local ttl = redis.call('PTTL', KEYS[1])
local moved = 0
for i = 1, #ARGV, 2 do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  if value then
    redis.call('HDEL', KEYS[1], ARGV[i])
    if ARGV[i + 1] ~= '' then
      if string.find(value, '[%.eE]') then
        redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i + 1], value)
      else
        redis.call('HINCRBY', KEYS[1], ARGV[i + 1], value)
      end
    end
    moved = moved + 1
  end
end
if ttl > 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return moved
"""

# KEYS[1] a stream, KEYS[2] the copy being written (same hash tag)
# ARGV[1] copy the entries after this id ("0-0" first), ARGV[2] entries per call,
# ARGV[3] field name, ARGV[4] its value to replace, ARGV[5] the replacement
# Stream entries cannot be edited in place and an id cannot be added twice, so
# the stream is copied, ids kept, a chunk per call. The call that finds no more
# than a chunk left copies it, sets the copy's last id and renames it over the
# stream in one step: entries added while earlier chunks were copied are kept.
# Returns the last id copied, or "done" when the stream has been replaced.
REWRITE_STREAM = """
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == ARGV[3] and fields[i + 1] == ARGV[4] then
      fields[i + 1] = ARGV[5]
    end
  end
  redis.call('XADD', KEYS[2], entry[1], unpack(fields))
end
if #entries == tonumber(ARGV[2]) then
  return entries[#entries][1]
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      redis.call('XSETID', KEYS[2], info[i + 1])
    end
  end
  redis.call('RENAME', KEYS[2], KEYS[1])
end
return 'done'
"""

# Schema 1 to 2 (shortener.migrations): fold one day hash of a link or an
# advocate into its month hash, and count the day's visitors once.
# KEYS[1] the day hash (schema 1), KEYS[2] the day's visitor HyperLogLog,
# KEYS[3] the month hash, KEYS[4] the totals hash
# ARGV[1] the day of the month ("07"), ARGV[2] month hash TTL in seconds,
# ARGV[3] "1" to keep the HyperLogLog (its day's salt still lives), ARGV[4] its TTL,
# ARGV[5] the visitors counter name
# Returns 1 once the day hash is folded (and gone), so a rerun finds nothing.
FOLD_DAY = """
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local name = ARGV[1] .. ':' .. fields[i]
  if string.find(fields[i + 1], '[%.eE]') then
    redis.call('HINCRBYFLOAT', KEYS[3], name, fields[i + 1])
  else
    redis.call('HINCRBY', KEYS[3], name, fields[i + 1])
  end
end
local visitors = 0
if redis.call('EXISTS', KEYS[2]) == 1 then
  visitors = redis.call('PFCOUNT', KEYS[2])
  if ARGV[3] == '1' then
    redis.call('EXPIRE', KEYS[2], ARGV[4])
  else
    redis.call('DEL', KEYS[2])
  end
end
if visitors > 0 then
  redis.call('HINCRBY', KEYS[3], ARGV[1] .. ':' .. ARGV[5], visitors)
  redis.call('HINCRBY', KEYS[4], ARGV[5], visitors)
end
if #fields > 0 then
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
redis.call('DEL', KEYS[1])
return 1
"""

# Schema 1 to 2: count a campaign day's visitors into its day hash and totals.
# KEYS[1] the campaign's day hash, KEYS[2] the day's visitor HyperLogLog,
# KEYS[3] the campaign's totals hash
# ARGV[1] "1" to keep the HyperLogLog, ARGV[2] its TTL, ARGV[3] the visitors counter name
# Returns 1 when counted, 0 when the day had no hash or was counted before.
COUNT_CAMPAIGN_DAY = """
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], ARGV[3]) == 1 then
  return 0
end
local visitors = redis.call('PFCOUNT', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[3], visitors)
redis.call('HINCRBY', KEYS[3], ARGV[3], visitors)
if ARGV[1] == '1' then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
else
  redis.call('DEL', KEYS[2])
end
return 1
"""


# KEYS[1] a webhook subscription's lease
# ARGV[1] the caller's token, ARGV[2] lease time in milliseconds
# Returns 1 when the caller holds the lease now (taken or renewed), else 0.
TAKE_LEASE = """
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# KEYS[1] the lease
# ARGV[1] the caller's token
# Lets the lease go if the caller holds it; returns 1 if it did.
RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS[1] the lease, KEYS[2] the queue (stream), KEYS[3] the head's attempt state,
# KEYS[4] the delivery log (list)
# ARGV[1] the caller's token, ARGV[2] the delivery (stream id),
# ARGV[3] "done" or "retry", ARGV[4] the log entry (done) or attempt state (retry)
# as JSON, ARGV[5] how many log entries to keep
# Records the outcome of one attempt, only while the caller holds the lease, so
# a process that lost it (or a deleted subscription) writes nothing. "done"
# takes the delivery off the queue and logs it; "retry" keeps it at the head.
# Returns 1 when recorded, 0 otherwise.
RECORD_ATTEMPT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[3] == 'done' then
  redis.call('XDEL', KEYS[2], ARGV[2])
  redis.call('DEL', KEYS[3])
  redis.call('LPUSH', KEYS[4], ARGV[4])
  redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[5]) - 1)
else
  redis.call('SET', KEYS[3], ARGV[4])
end
return 1
"""

# KEYS[1] the reward claims hash, KEYS[2] the reward records hash,
# KEYS[3] all rewards (zset), KEYS[4] the campaign's rewards (zset)
# ARGV[1] claim ("<campaign>\t<advocate>\t<tier conversions>"), ARGV[2] reward id,
# ARGV[3] the reward as JSON, ARGV[4] its creation time
# Returns 1 when this call created the reward, 0 when the tier was granted before:
# conversions counted at the same moment each try, and one wins.
GRANT_REWARD = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
for i = 3, 4 do
  redis.call('ZADD', KEYS[i], ARGV[4], ARGV[2])
end
return 1
"""

# KEYS[1] the reward records hash
# ARGV[1] reward id, ARGV[2] the status the caller read, ARGV[3] the changed reward as JSON
# Returns 1 when changed, 0 when the status moved on meanwhile, -1 for no such reward.
SET_REWARD_STATUS = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then
  return -1
end
if cjson.decode(current)['status'] ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""

# KEYS[1] a webhook queue (stream), KEYS[2] the copy being written (same hash tag)
# ARGV[1] copy the entries after this id ("0-0" first), ARGV[2] entries per call,
# ARGV[3] a JSON string to replace in each entry's body (quotes included),
# ARGV[4] the replacement
# As REWRITE_STREAM, but the value is replaced inside the JSON body: erasure
# gives an advocate's events waiting for delivery the advocate's new id.
# Returns the last id copied, or "done" when the queue has been replaced.
REWRITE_QUEUE = """
local function swap(text, old, new)
  local parts, start = {}, 1
  while true do
    local i, j = string.find(text, old, start, true)
    if not i then break end
    parts[#parts + 1] = string.sub(text, start, i - 1)
    parts[#parts + 1] = new
    start = j + 1
  end
  parts[#parts + 1] = string.sub(text, start)
  return table.concat(parts)
end
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'body' then
      fields[i + 1] = swap(fields[i + 1], ARGV[3], ARGV[4])
    end
  end
  redis.call('XADD', KEYS[2], entry[1], unpack(fields))
end
if #entries == tonumber(ARGV[2]) then
  return entries[#entries][1]
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      redis.call('XSETID', KEYS[2], info[i + 1])
    end
  end
  redis.call('RENAME', KEYS[2], KEYS[1])
end
return 'done'
"""

# KEYS[1] a webhook's delivery log (list)
# ARGV[1] a JSON string to replace (quotes included), ARGV[2] the replacement
# Rewrites, in place, each logged delivery that holds it; returns how many.
REWRITE_LOG = """
local changed = 0
for index, text in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local parts, start, found = {}, 1, false
  while true do
    local i, j = string.find(text, ARGV[1], start, true)
    if not i then break end
    parts[#parts + 1] = string.sub(text, start, i - 1)
    parts[#parts + 1] = ARGV[2]
    start = j + 1
    found = true
  end
  if found then
    parts[#parts + 1] = string.sub(text, start)
    redis.call('LSET', KEYS[1], index - 1, table.concat(parts))
    changed = changed + 1
  end
end
return changed
"""

# KEYS[1] the campaign's orders hash, KEYS[2] campaign totals hash,
# KEYS[3] the campaign day hash of the conversion's day, KEYS[4] the conversions
# board (zset), KEYS[5] the campaign's review queue (zset)
# ARGV[1] external order id, ARGV[2] the status the caller read, ARGV[3] the changed
# conversion as JSON, ARGV[4] "1" to count it (it becomes accepted), ARGV[5] value,
# ARGV[6] TTL of the day hash in seconds, ARGV[7] advocate external id
# Changes a conversion's review status only if it is still what the caller read
# (status and advocate),
# and counts it in the campaign's figures in the same step: of two accepts sent at
# the same moment, one counts and the other finds the status moved.
# Returns 1 when changed, 0 when the status moved on meanwhile, -1 for no such order.
SET_CONVERSION_STATUS = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then
  return -1
end
local record = cjson.decode(current)
-- The advocate too: an erasure may have renamed it since the caller read it.
if (record['status'] or 'accepted') ~= ARGV[2] or record['advocate'] ~= ARGV[7] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[1])
if ARGV[4] == '1' then
  for i = 2, 3 do
    redis.call('HINCRBY', KEYS[i], 'conversions', 1)
    redis.call('HINCRBYFLOAT', KEYS[i], 'conversion_value', ARGV[5])
  end
  redis.call('EXPIRE', KEYS[3], ARGV[6])
  redis.call('ZINCRBY', KEYS[4], 1, ARGV[7])
end
return 1
"""

# KEYS[1] the campaign's survey answers hash, KEYS[2] its survey totals hash,
# KEYS[3] its survey days hash, KEYS[4] its answers-with-text sorted set
# ARGV[1] external order id, ARGV[2] the answer as JSON, ARGV[3] heard_via,
# ARGV[4] the days hash's field ("<YYYYMMDD>:<heard_via>"), ARGV[5] the answer's time in ms,
# ARGV[6] '1' when the answer holds free text, else ''
# Returns {'repeat', stored JSON} for an order answered before (nothing is
# counted), or {'new', ''}: one answer per order, however many arrive at once.
RECORD_SURVEY_ANSWER = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return {'repeat', redis.call('HGET', KEYS[1], ARGV[1])}
end
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
end
return {'new', ''}
"""

# KEYS[1] the campaign's measured-orders set, KEYS[2] its measured-answers hash
# ARGV[1] external order id, ARGV[2] the answer's UTC day (YYYYMMDD)
# Returns 1 when the order is counted now, 0 when it was counted before: an
# order counts once, however often and from whichever side it is noted.
COUNT_MEASURED_ANSWER = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('HINCRBY', KEYS[2], 'all', 1)
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1
"""

# KEYS[1] a hash
# ARGV[1] field, ARGV[2] the value it is expected to hold, ARGV[3] the new value
# Returns 1 when the field held the expected value and now holds the new one,
# else 0 (it changed meanwhile, or is gone): the caller reads again.
SWAP_FIELD = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


# KEYS the keys, one call each; or one key, for every call (``one_key``)
# ARGV the calls' own arguments, ``width`` a call, in call order
# Runs ``command`` once per call, as a pipeline of the same commands would:
# command, key, the ``before`` words, the call's arguments, the ``after``
# words (options such as NX, written into the script so that they are not
# sent with every call). Returns the replies in order (nil where a reply is
# nil). The bulk writes send one call of such a script per cluster slot
# instead of a command per key (links.store._each): redis-py spends more on
# packing and parsing a command than Redis spends running it.
@lru_cache(maxsize=64)
def each(command: str, width: int, before: tuple[str, ...] = (), after: tuple[str, ...] = (),
         *, one_key: bool = False) -> str:
    words = (command, *before, *after)
    # Only words of our own go into the text: a command name, options.
    if not all(word.isascii() and word.isalpha() and word.isupper() for word in words):
        raise ValueError(f"not a command or an option: {words}")
    arguments = ["KEYS[1]" if one_key else "KEYS[i]", *(f"'{word}'" for word in before),
                 *(f"ARGV[at + {place}]" for place in range(1, width + 1)),
                 *(f"'{word}'" for word in after)]
    calls = f"#ARGV / {width}" if one_key else "#KEYS"
    return f"""
local replies = {{}}
for i = 1, {calls} do
  local at = (i - 1) * {width}
  replies[i] = redis.call('{command}', {", ".join(arguments)})
end
return replies
"""
