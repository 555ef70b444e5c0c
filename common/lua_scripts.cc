#include "common/lua_scripts.h"

#include "common/redis_client.h"

namespace quire::scripts {
namespace {

// Helpers every script starts with.
//   now_ms(): Redis' clock in milliseconds.
//   emit(key, id, chan_prefix, now): bumps the job's event sequence `ver`
//     and publishes its state as JSON on chan_prefix..id.
//   end_stage(key, stage, now, latency_prefix): stamps the stage's end time
//     and records its duration in the capped latency list of that stage.
constexpr const char* kPrelude = R"lua(
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function emit(key, id, chan_prefix, now)
  local ver = redis.call('HINCRBY', key, 'ver', 1)
  local f = redis.call('HMGET', key, 'state', 'stage', 'progress', 'attempt',
                       'err_code', 'err_msg', 'cancel')
  redis.call('PUBLISH', chan_prefix .. id, cjson.encode({
    id = id, seq = ver, state = f[1] or '', stage = f[2] or '',
    progress = tonumber(f[3]) or 0, attempt = tonumber(f[4]) or 0,
    err_code = f[5] or '', err_msg = f[6] or '', cancel = f[7] == '1', t = now}))
end
local function end_stage(key, stage, now, latency_prefix)
  local started = tonumber(redis.call('HGET', key, 't:' .. stage .. ':s'))
  redis.call('HSET', key, 't:' .. stage .. ':e', now)
  if started then
    local lkey = latency_prefix .. stage
    redis.call('LPUSH', lkey, now - started)
    redis.call('LTRIM', lkey, 0, 999)
  end
end
)lua";

// SUBMIT: creates a job and queues it, or returns the job already created
// for the same idempotency key.
//   KEYS[1] job hash   KEYS[2] pending zset of its priority   KEYS[3] seq
//   KEYS[4] signal     KEYS[5] index   KEYS[6] stats   KEYS[7] idempotency key
//   ARGV[1] id  ARGV[2] template id  ARGV[3] template version  ARGV[4] priority
//   ARGV[5] params JSON  ARGV[6] outputs  ARGV[7] submitter  ARGV[8] inline YAML
//   ARGV[9] idempotency key text ('' for none)  ARGV[10] its TTL in seconds
// Result: {job id, 1 if it already existed else 0}
constexpr const char* kSubmit = R"lua(
if ARGV[9] ~= '' then
  local existing = redis.call('GET', KEYS[7])
  if existing then return {existing, 1} end
end
local now = now_ms()
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'tpl', ARGV[2], 'tver', ARGV[3],
           'prio', ARGV[4], 'params', ARGV[5], 'outputs', ARGV[6],
           'submitter', ARGV[7], 'inline', ARGV[8], 'idem', ARGV[9],
           'state', 'QUEUED', 'stage', '', 'progress', 0, 'attempt', 0,
           'seq', seq, 'created', now, 'ver', 0)
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('ZADD', KEYS[5], now, ARGV[1])
redis.call('HINCRBY', KEYS[6], 'submitted', 1)
if redis.call('LLEN', KEYS[4]) < 64 then redis.call('LPUSH', KEYS[4], 1) end
if ARGV[9] ~= '' then redis.call('SET', KEYS[7], ARGV[1], 'EX', ARGV[10]) end
return {ARGV[1], 0}
)lua";

// LEASE: first returns expired leases to their queue (or finishes them as
// CANCELLED when a cancel was requested), then leases up to ARGV[1] jobs in
// strict priority order, FIFO within a priority. Each leased job gets a new
// fencing token and a deadline now + ARGV[2] in the active zset. When the
// queues are empty the signal list is cleared, so idle workers block.
//   KEYS[1..4] pending zsets URGENT, HIGH, NORMAL, LOW   KEYS[5] active
//   KEYS[6] fence   KEYS[7] signal   KEYS[8] stats
//   ARGV[1] max jobs  ARGV[2] lease ms  ARGV[3] worker id  ARGV[4] job key prefix
//   ARGV[5] event channel prefix  ARGV[6] max leases to reclaim
//   ARGV[7] retention of finished jobs in seconds
// Result: array of {id, token, attempt, {tpl, tver, prio, params, outputs,
//   inline, submitter, created, idem}}
constexpr const char* kLease = R"lua(
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[5], id)
  local key = ARGV[4] .. id
  local f = redis.call('HMGET', key, 'state', 'prio', 'seq', 'cancel')
  if f[1] == 'RUNNING' then
    if f[4] == '1' then
      redis.call('HSET', key, 'state', 'CANCELLED', 'token', '', 'finished', now,
                 'err_code', 'CANCELLED', 'err_msg', 'cancelled by request')
      redis.call('HINCRBY', KEYS[8], 'cancelled', 1)
      if tonumber(ARGV[7]) > 0 then redis.call('EXPIRE', key, ARGV[7]) end
    else
      redis.call('HSET', key, 'state', 'QUEUED', 'token', '', 'worker', '', 'stage', '',
                 'progress', 0)
      redis.call('ZADD', KEYS[5 - tonumber(f[2])], f[3], id)
      redis.call('HINCRBY', KEYS[8], 'reclaimed', 1)
    end
    emit(key, id, ARGV[5], now)
  end
end
local want = tonumber(ARGV[1])
local out = {}
for p = 1, 4 do
  if want <= 0 then break end
  local popped = redis.call('ZPOPMIN', KEYS[p], want)
  for i = 1, #popped, 2 do
    local id = popped[i]
    local key = ARGV[4] .. id
    local token = redis.call('INCR', KEYS[6])
    local attempt = redis.call('HINCRBY', key, 'attempt', 1)
    if attempt > 1 then
      redis.call('HDEL', key, 't:VALIDATING:s', 't:VALIDATING:e', 't:COLLECTING_DATA:s',
                 't:COLLECTING_DATA:e', 't:GENERATING_CHARTS:s', 't:GENERATING_CHARTS:e',
                 't:RENDERING_REPORT:s', 't:RENDERING_REPORT:e', 't:FINALIZING:s',
                 't:FINALIZING:e')
    end
    redis.call('HSET', key, 'state', 'RUNNING', 'token', token, 'worker', ARGV[3],
               'stage', '', 'progress', 0)
    redis.call('HSETNX', key, 'started', now)
    redis.call('ZADD', KEYS[5], now + tonumber(ARGV[2]), id)
    emit(key, id, ARGV[5], now)
    out[#out + 1] = {id, token, attempt, redis.call('HMGET', key, 'tpl', 'tver', 'prio',
                     'params', 'outputs', 'inline', 'submitter', 'created', 'idem')}
    want = want - 1
  end
end
if want > 0 then redis.call('DEL', KEYS[7]) end
return out
)lua";

// EXTEND: pushes the deadline of leases still held to now + ARGV[1].
//   KEYS[1] active
//   ARGV[1] lease ms  ARGV[2] job key prefix  ARGV[3..] pairs of id, token
// Result: one integer per pair: 1 held, 2 held and cancel requested,
//   0 lost (the token no longer matches: the job was reclaimed or finished).
constexpr const char* kExtend = R"lua(
local now = now_ms()
local out = {}
for i = 3, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local f = redis.call('HMGET', ARGV[2] .. id, 'token', 'state', 'cancel')
  if f[1] == token and f[2] == 'RUNNING' then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), id)
    if f[3] == '1' then out[#out + 1] = 2 else out[#out + 1] = 1 end
  else
    out[#out + 1] = 0
  end
end
return out
)lua";

// PROGRESS: records the running stage and progress of a leased job. When the
// stage changes, the previous stage's end and the new one's start are
// stamped.
//   KEYS[1] job hash
//   ARGV[1] token  ARGV[2] stage name  ARGV[3] progress 0..100  ARGV[4] id
//   ARGV[5] event channel prefix  ARGV[6] latency key prefix
// Result: 1 held, 2 held and cancel requested, 0 lost.
constexpr const char* kProgress = R"lua(
local f = redis.call('HMGET', KEYS[1], 'token', 'state', 'stage', 'cancel')
if f[1] ~= ARGV[1] or f[2] ~= 'RUNNING' then return 0 end
local now = now_ms()
if ARGV[2] ~= f[3] then
  if f[3] and f[3] ~= '' then end_stage(KEYS[1], f[3], now, ARGV[6]) end
  redis.call('HSET', KEYS[1], 't:' .. ARGV[2] .. ':s', now, 'stage', ARGV[2])
end
redis.call('HSET', KEYS[1], 'progress', ARGV[3])
emit(KEYS[1], ARGV[4], ARGV[5], now)
if f[4] == '1' then return 2 end
return 1
)lua";

// FINISH: ends a leased job as COMPLETED, FAILED or CANCELLED (the worker's
// acknowledgement of a cancel request). Refused when the token does not
// match: a worker that lost its lease cannot finish the job.
//   KEYS[1] job hash  KEYS[2] active  KEYS[3] stats
//   ARGV[1] token  ARGV[2] final state  ARGV[3] error code  ARGV[4] error
//   message  ARGV[5] artifacts JSON  ARGV[6] retention seconds  ARGV[7] id
//   ARGV[8] event channel prefix  ARGV[9] latency key prefix
// Result: 1 finished, 0 lost.
constexpr const char* kFinish = R"lua(
local f = redis.call('HMGET', KEYS[1], 'token', 'state', 'stage')
if f[1] ~= ARGV[1] or f[2] ~= 'RUNNING' then return 0 end
local now = now_ms()
if f[3] and f[3] ~= '' then end_stage(KEYS[1], f[3], now, ARGV[9]) end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'token', '', 'finished', now,
           'err_code', ARGV[3], 'err_msg', ARGV[4])
if ARGV[2] == 'COMPLETED' then
  redis.call('HSET', KEYS[1], 'progress', 100, 'artifacts', ARGV[5])
end
redis.call('ZREM', KEYS[2], ARGV[7])
redis.call('HINCRBY', KEYS[3], string.lower(ARGV[2]), 1)
emit(KEYS[1], ARGV[7], ARGV[8], now)
if tonumber(ARGV[6]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[6]) end
return 1
)lua";

// CANCEL: a queued job leaves its queue and is CANCELLED at once; a running
// job is flagged, and its worker stops it at the next checkpoint.
//   KEYS[1] job hash  KEYS[2..5] pending zsets URGENT, HIGH, NORMAL, LOW
//   KEYS[6] stats
//   ARGV[1] id  ARGV[2] retention seconds  ARGV[3] event channel prefix
// Result: 'CANCELLED', 'RUNNING' (flagged), 'NOT_FOUND', or the terminal
//   state the job already had.
constexpr const char* kCancel = R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'prio')
if not f[1] then return 'NOT_FOUND' end
local now = now_ms()
if f[1] == 'QUEUED' then
  redis.call('ZREM', KEYS[6 - tonumber(f[2])], ARGV[1])
  redis.call('HSET', KEYS[1], 'state', 'CANCELLED', 'finished', now,
             'err_code', 'CANCELLED', 'err_msg', 'cancelled by request')
  redis.call('HINCRBY', KEYS[6], 'cancelled', 1)
  emit(KEYS[1], ARGV[1], ARGV[3], now)
  if tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
  return 'CANCELLED'
elseif f[1] == 'RUNNING' then
  redis.call('HSET', KEYS[1], 'cancel', 1)
  emit(KEYS[1], ARGV[1], ARGV[3], now)
  return 'RUNNING'
end
return f[1]
)lua";

// PUT_TEMPLATE: stores a new version of a template.
//   KEYS[1] template hash  KEYS[2] templates zset
//   ARGV[1] YAML  ARGV[2] template id  ARGV[3] title
// Result: the new version number.
constexpr const char* kPutTemplate = R"lua(
local now = now_ms()
local v = redis.call('HINCRBY', KEYS[1], 'latest', 1)
redis.call('HSET', KEYS[1], 'v:' .. v, ARGV[1], 't:' .. v, now, 'title:' .. v, ARGV[3])
redis.call('ZADD', KEYS[2], now, ARGV[2])
return v
)lua";

// HEARTBEAT: records that a worker is alive and forgets workers silent for
// a minute.
//   KEYS[1] workers zset   ARGV[1] worker id
// Result: Redis' clock in ms.
constexpr const char* kHeartbeat = R"lua(
local now = now_ms()
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
return now
)lua";

LuaScript Make(const char* name, const char* body) {
  std::string text = std::string(kPrelude) + body;
  std::string sha = ScriptSha1(text);
  return LuaScript{name, std::move(text), std::move(sha)};
}

}  // namespace

#define QUIRE_SCRIPT(fn, name, body)       \
  const LuaScript& fn() {                  \
    static const LuaScript s = Make(name, body); \
    return s;                              \
  }
QUIRE_SCRIPT(Submit, "submit", kSubmit)
QUIRE_SCRIPT(Lease, "lease", kLease)
QUIRE_SCRIPT(Extend, "extend", kExtend)
QUIRE_SCRIPT(Progress, "progress", kProgress)
QUIRE_SCRIPT(Finish, "finish", kFinish)
QUIRE_SCRIPT(Cancel, "cancel", kCancel)
QUIRE_SCRIPT(PutTemplate, "put_template", kPutTemplate)
QUIRE_SCRIPT(Heartbeat, "heartbeat", kHeartbeat)
#undef QUIRE_SCRIPT

}  // namespace quire::scripts
