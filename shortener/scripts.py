"""Lua scripts, for read-modify-write steps that must be atomic.

Every key a script touches arrives through KEYS, so Redis Cluster can route
it; the keys of one call share a hash tag (see keys.py).
"""

from __future__ import annotations

# KEYS[1] totals hash, KEYS[2] day hash, KEYS[3] day visitors HyperLogLog
# ARGV[1] TTL of the day keys in seconds, ARGV[2] visitor hash ('' for none),
# ARGV[3] how many times to count, ARGV[4..] counter names; names starting
# with "hour:" are counted in the day hash only.
COUNT_CLICK = """
local n = tonumber(ARGV[3])
for i = 4, #ARGV do
  if string.sub(ARGV[i], 1, 5) ~= 'hour:' then
    redis.call('HINCRBY', KEYS[1], ARGV[i], n)
  end
  redis.call('HINCRBY', KEYS[2], ARGV[i], n)
end
redis.call('EXPIRE', KEYS[2], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('PFADD', KEYS[3], ARGV[2])
  redis.call('EXPIRE', KEYS[3], ARGV[1])
end
return 1
"""

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

# KEYS[1] the campaign's orders hash, KEYS[2] campaign totals hash,
# KEYS[3] campaign day hash, KEYS[4] the campaign's conversions board (zset)
# ARGV[1] external order id, ARGV[2] the conversion as JSON, ARGV[3] value,
# ARGV[4] TTL of the day hash in seconds, ARGV[5] advocate external id
# Returns false for a new conversion, or the stored JSON of an earlier report
# of the same order (nothing is counted twice).
RECORD_CONVERSION = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return redis.call('HGET', KEYS[1], ARGV[1])
end
for i = 2, 3 do
  redis.call('HINCRBY', KEYS[i], 'conversions', 1)
  redis.call('HINCRBYFLOAT', KEYS[i], 'conversion_value', ARGV[3])
end
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('ZINCRBY', KEYS[4], 1, ARGV[5])
return false
"""
