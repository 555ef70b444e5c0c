#include "common/queue/lua_scripts.h"

#include "common/queue/redis_client.h"
#include "common/queue/redis_keys.h"

namespace quire::scripts {
namespace {

// Helpers every script starts with.
//   now_ms(): Redis' clock in milliseconds.
//   int(n): a whole number as text; cheaper for Redis than Lua's %.14g.
//   emit(id, chan_prefix, now, seq, state, stage, progress, attempt, code,
//     msg, cancel): publishes a job's state as JSON on chan_prefix..id (ids,
//     states, stages and codes are plain identifiers; only the message
//     needs JSON escaping). Skipped when nobody listens: a watcher reads
//     the job's state after its subscription is live, so it misses nothing.
//     Callers pass what they just wrote, including the job's new event
//     sequence `ver`, so no read is needed.
//   end_stage(key, stage, now, latency_prefix): stamps the stage's end time
//     and records its duration in the capped latency list of that stage.
//   add_attempt_error, end_unleased / end_cancelled, clear_stage_times,
//     fail_corrupt, read_fields, priority: see their comments below.
//   push_all(cmd, key, items): one command with many arguments, in chunks
//     that stay below Lua's stack limit.
//   count_ref(refs, tpl, tver, delta) / apply_refs(key, refs): keep the
//     count of live (queued or running) jobs per stored template, which
//     DELETE_TEMPLATE checks; inline templates (version 0) are not counted.
//   history(id, now) / expire_finished(key, id, now, retention): the job
//     history's outbox (history_writer.h); HISTORY_ON and HISTORY_OUTBOX
//     are bound by Make() below.
constexpr const char* kPrelude = R"lua(
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n)
  return string.format('%d', n)
end
local function emit(id, chan_prefix, now, seq, state, stage, progress, attempt, code, msg,
                    cancel)
  local chan = chan_prefix .. id
  if redis.call('PUBSUB', 'NUMSUB', chan)[2] == 0 then return end
  local json = string.format(
      '{"id":"%s","seq":%d,"state":"%s","stage":"%s","progress":%d,"attempt":%d,' ..
      '"err_code":"%s","err_msg":%s,"cancel":%s,"t":%d}',
      id, seq, state, stage or '', tonumber(progress) or 0, tonumber(attempt) or 0, code or '',
      (msg and msg ~= '') and cjson.encode(msg) or '""', cancel == '1' and 'true' or 'false', now)
  redis.call('PUBLISH', chan, json)
end
-- While a history writer runs (HISTORY_ON exists), a job whose state
-- changed joins the history outbox; true when it did. The flag is read
-- once per script call, however many jobs it changes.
local history_on = nil
local function history(id, now)
  if history_on == nil then history_on = redis.call('EXISTS', HISTORY_ON) == 1 end
  if not history_on then return false end
  redis.call('ZADD', HISTORY_OUTBOX, 'NX', now, id)
  return true
end
-- A finished job expires after the retention, except while the history
-- writer has yet to copy it: the writer sets its expiry once it has.
local function expire_finished(key, id, now, retention)
  if not history(id, now) and tonumber(retention) > 0 then redis.call('EXPIRE', key, retention) end
end
local function end_stage(key, stage, now, latency_prefix)
  local started = tonumber(redis.call('HGET', key, 't:' .. stage .. ':s'))
  redis.call('HSET', key, 't:' .. stage .. ':e', int(now))
  if started then
    local lkey = latency_prefix .. stage
    redis.call('LPUSH', lkey, int(now - started))
    redis.call('LTRIM', lkey, 0, 999)
  end
end
local function count_ref(refs, tpl, tver, delta)
  if tver and tver ~= '' and tver ~= '0' then refs[tpl] = (refs[tpl] or 0) + delta end
end
local function apply_refs(key, refs)
  for tpl, n in pairs(refs) do
    if n ~= 0 then
      if redis.call('HINCRBY', key, tpl, n) <= 0 then redis.call('HDEL', key, tpl) end
    end
  end
end
-- Appends a failed attempt to the job's history (JSON list, last 50 kept).
local function add_attempt_error(key, attempt, code, msg, worker, now)
  local list = {}
  local raw = redis.call('HGET', key, 'attempts')
  if raw then
    local ok, decoded = pcall(cjson.decode, raw)
    if ok and type(decoded) == 'table' then list = decoded end
  end
  list[#list + 1] = {attempt = tonumber(attempt) or 0, code = code, message = msg,
                     worker = worker or '', at = now}
  if #list > 50 then table.remove(list, 1) end
  redis.call('HSET', key, 'attempts', cjson.encode(list))
end
-- Ends a job that no worker holds (queued, waiting for a retry or its
-- run-at time, or whose lease expired) as `state` (CANCELLED or FAILED)
-- with `code` and `msg`, counted under the state's name in stats.
--   c: {stats key, template refs key, retention seconds, channel prefix}
local function end_unleased(key, id, now, ver, state, code, msg, stage, progress, attempt, tpl,
                            tver, cancel, c)
  local refs = {}
  count_ref(refs, tpl, tver, -1)
  apply_refs(c[2], refs)
  redis.call('HSET', key, 'state', state, 'token', '', 'finished', int(now),
             'err_code', code, 'err_msg', msg, 'ver', int(ver))
  redis.call('HDEL', key, 'next_at')
  redis.call('HINCRBY', c[1], string.lower(state), 1)
  expire_finished(key, id, now, c[3])
  emit(id, c[4], now, ver, state, stage, progress, attempt, code, msg, cancel)
end
local function end_cancelled(key, id, now, ver, stage, progress, attempt, tpl, tver, cancel, c)
  end_unleased(key, id, now, ver, 'CANCELLED', 'CANCELLED', 'cancelled by request', stage,
               progress, attempt, tpl, tver, cancel, c)
end
-- Drops the stage times of an earlier attempt.
local function clear_stage_times(key)
  redis.call('HDEL', key, 't:VALIDATING:s', 't:VALIDATING:e', 't:COLLECTING_DATA:s',
             't:COLLECTING_DATA:e', 't:GENERATING_CHARTS:s', 't:GENERATING_CHARTS:e',
             't:RENDERING_REPORT:s', 't:RENDERING_REPORT:e', 't:FINALIZING:s',
             't:FINALIZING:e')
end
-- Ends a job whose record cannot be run — not a hash, missing, or with an
-- unreadable priority — as FAILED (DATA_LOSS) saying why, so that one bad
-- record never blocks the queue. A record of the wrong type is replaced.
--   c: {stats key, template refs key, retention seconds, channel prefix}
local function fail_corrupt(key, id, why, now, c)
  local t = redis.call('TYPE', key)
  if type(t) == 'table' then t = t.ok end
  if t ~= 'hash' then redis.call('DEL', key) end
  local msg = "the job's record in Redis is unusable (" .. why .. '); submit the job again'
  redis.call('HSET', key, 'id', id, 'state', 'FAILED', 'token', '', 'finished', int(now),
             'err_code', 'DATA_LOSS', 'err_msg', msg)
  redis.call('HINCRBY', c[1], 'failed', 1)
  expire_finished(key, id, now, c[3])
  emit(id, c[4], now, 0, 'FAILED', '', 0, 0, 'DATA_LOSS', msg, '0')
end
-- HMGET that reports a record of the wrong type as nil and why.
local function read_fields(key, ...)
  local f = redis.pcall('HMGET', key, ...)
  if type(f) == 'table' and f.err then return nil, f.err end
  return f, nil
end
-- A priority 1..4, or nil.
local function priority(v)
  local p = tonumber(v)
  if p and p >= 1 and p <= 4 and p == math.floor(p) then return p end
  return nil
end
local function push_all(cmd, key, items)
  for i = 1, #items, 4000 do
    redis.call(cmd, key, unpack(items, i, math.min(i + 3999, #items)))
  end
end
)lua";

// SUBMIT: creates and queues jobs, many in one call; a job whose
// idempotency key was seen (within its TTL) is not created again: the
// existing job's id is returned. Absent hash fields read as 0 or ''.
//   KEYS[1..4] pending zsets URGENT, HIGH, NORMAL, LOW   KEYS[5] seq
//   KEYS[6] signal   KEYS[7] index   KEYS[8] stats   KEYS[9] template refs
//   ARGV[1] job key prefix  ARGV[2] idempotency key prefix  ARGV[3] its TTL
//   in seconds  ARGV[4..] groups of 13: id, template id, template version,
//   priority 1..4, params JSON, outputs, submitter, inline YAML,
//   idempotency key ('' for none), fresh data ('1' or ''), max attempts
//   ('0' for the default), deadline ms ('0' for none), run-at ms ('0': now)
//   KEYS[10] delayed (jobs waiting for their run-at time)
// Result: flat array: job id, 1 if it already existed else 0, per group.
constexpr const char* kSubmit = R"lua(
local now = now_ms()
local now_s = int(now)
local n = (#ARGV - 3) / 13
local seq = redis.call('INCRBY', KEYS[5], n) - n
local pending = {{}, {}, {}, {}}
local index = {}
local out = {}
local refs = {}
for i = 4, #ARGV, 13 do
  local id, idem = ARGV[i], ARGV[i + 8]
  local existing = false
  if idem ~= '' then existing = redis.call('GET', ARGV[2] .. idem) end
  if existing then
    out[#out + 1] = existing
    out[#out + 1] = 1
  else
    seq = seq + 1
    local run_at = tonumber(ARGV[i + 12]) or 0
    local state = 'QUEUED'
    if run_at > now then state = 'SCHEDULED' end
    local fields = {'id', id, 'tpl', ARGV[i + 1], 'tver', ARGV[i + 2], 'prio', ARGV[i + 3],
                    'params', ARGV[i + 4], 'outputs', ARGV[i + 5], 'state', state,
                    'seq', int(seq), 'created', now_s}
    if ARGV[i + 6] ~= '' then fields[#fields + 1] = 'submitter'; fields[#fields + 1] = ARGV[i + 6] end
    if ARGV[i + 7] ~= '' then fields[#fields + 1] = 'inline'; fields[#fields + 1] = ARGV[i + 7] end
    if ARGV[i + 9] == '1' then fields[#fields + 1] = 'fresh'; fields[#fields + 1] = '1' end
    if ARGV[i + 10] ~= '0' then fields[#fields + 1] = 'maxatt'; fields[#fields + 1] = ARGV[i + 10] end
    if ARGV[i + 11] ~= '0' then fields[#fields + 1] = 'deadline'; fields[#fields + 1] = ARGV[i + 11] end
    if idem ~= '' then
      fields[#fields + 1] = 'idem'
      fields[#fields + 1] = idem
      redis.call('SET', ARGV[2] .. idem, id, 'EX', ARGV[3])
    end
    if state == 'SCHEDULED' then
      fields[#fields + 1] = 'run_at'
      fields[#fields + 1] = int(run_at)
      redis.call('ZADD', KEYS[10], run_at, id)
    else
      local p = pending[5 - tonumber(ARGV[i + 3])]
      p[#p + 1] = int(seq)
      p[#p + 1] = id
    end
    redis.call('HSET', ARGV[1] .. id, unpack(fields))
    history(id, now)
    count_ref(refs, ARGV[i + 1], ARGV[i + 2], 1)
    index[#index + 1] = now_s
    index[#index + 1] = id
    out[#out + 1] = id
    out[#out + 1] = 0
  end
end
for p = 1, 4 do
  if #pending[p] > 0 then push_all('ZADD', KEYS[p], pending[p]) end
end
if #index > 0 then
  push_all('ZADD', KEYS[7], index)
  redis.call('HINCRBY', KEYS[8], 'submitted', #index / 2)
  if redis.call('LLEN', KEYS[6]) < 64 then redis.call('LPUSH', KEYS[6], 1) end
  apply_refs(KEYS[9], refs)
end
return out
)lua";

// LEASE: first returns expired leases to their queue (or finishes them as
// CANCELLED when a cancel was requested), recording the lost attempt in the
// job's history; then queues the RETRY_SCHEDULED and SCHEDULED jobs whose
// time has come; then lets jobs that waited longer than ARGV[8] ms at their level
// rise one level (aging: LOW jobs finish under any URGENT load; a risen job
// keeps its sequence number, so it is ahead of the jobs queued at that
// level after it); then leases up to ARGV[1] jobs in strict priority order,
// FIFO within a priority. Each leased job gets a new fencing token and a
// deadline now + ARGV[2] in the active zset. When the queues are empty the
// signal list is cleared, so idle workers block.
//   KEYS[1..4] pending zsets URGENT, HIGH, NORMAL, LOW   KEYS[5] active
//   KEYS[6] fence   KEYS[7] signal   KEYS[8] stats   KEYS[9] template refs
//   KEYS[10] scheduled (retries)  KEYS[11] delayed (run_at)
//   ARGV[1] max jobs  ARGV[2] lease ms  ARGV[3] worker id  ARGV[4] job key prefix
//   ARGV[5] event channel prefix  ARGV[6] max leases to reclaim (also the
//   most retries queued again)  ARGV[7] retention of finished jobs in seconds
//   ARGV[8] aging interval in ms (0: no aging)  ARGV[9] expired leases after
//   which a job is FAILED instead of queued again (0: never)
// Result: array of {id, token, attempt, {tpl, tver, prio, params, outputs,
//   inline, submitter, created, idem, fresh, maxatt, fails, deadline}}
constexpr const char* kLease = R"lua(
local now = now_ms()
local now_s = int(now)
local c = {KEYS[8], KEYS[9], ARGV[7], ARGV[5]}
local expired = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[5], id)
  local key = ARGV[4] .. id
  local f, err = read_fields(key, 'state', 'prio', 'seq', 'cancel', 'stage', 'progress',
                              'attempt', 'ver', 'tpl', 'tver', 'worker')
  if not f then
    fail_corrupt(key, id, err, now, c)
  elseif f[1] == 'RUNNING' and not priority(f[2]) then
    fail_corrupt(key, id, "priority '" .. tostring(f[2]) .. "'", now, c)
  elseif f[1] == 'RUNNING' then
    local ver = (tonumber(f[8]) or 0) + 1
    if f[4] == '1' then
      end_cancelled(key, id, now, ver, f[5], f[6], f[7], f[9], f[10], '1', c)
    else
      add_attempt_error(key, f[7], 'ABORTED', 'lease expired: worker ' .. (f[11] or '?') ..
                        ' stopped extending it (crashed, frozen or cut off)', f[11], now)
      redis.call('HINCRBY', KEYS[8], 'reclaimed', 1)
      local lost = redis.call('HINCRBY', key, 'lost', 1)
      local max_lost = tonumber(ARGV[9]) or 0
      if max_lost > 0 and lost >= max_lost then
        -- A job that takes its worker down every time (a crash loop) ends
        -- here instead of going round forever.
        local msg = 'its worker stopped while running it ' .. lost ..
                    ' times (crashed, frozen or cut off); the job may be crashing workers'
        end_unleased(key, id, now, ver, 'FAILED', 'ABORTED', msg, f[5], f[6], f[7], f[9], f[10],
                     '0', c)
      else
        redis.call('HSET', key, 'state', 'QUEUED', 'token', '', 'worker', '', 'stage', '',
                   'progress', 0, 'qat', now_s, 'ver', int(ver))
        redis.call('ZADD', KEYS[5 - priority(f[2])], tonumber(f[3]) or 0, id)
        history(id, now)
        emit(id, ARGV[5], now, ver, 'QUEUED', '', 0, f[7], '', '', '0')
      end
    end
  end
end
-- Due retries (KEYS[10]) and due delayed jobs (KEYS[11]) join their queue.
for _, waiting in ipairs({{KEYS[10], 'RETRY_SCHEDULED'}, {KEYS[11], 'SCHEDULED'}}) do
  local due = redis.call('ZRANGEBYSCORE', waiting[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[6]))
  for _, id in ipairs(due) do
    redis.call('ZREM', waiting[1], id)
    local key = ARGV[4] .. id
    local f, err = read_fields(key, 'state', 'prio', 'seq', 'cancel', 'attempt', 'ver', 'tpl',
                                'tver')
    if not f then
      fail_corrupt(key, id, err, now, c)
    elseif f[1] == waiting[2] and not priority(f[2]) then
      fail_corrupt(key, id, "priority '" .. tostring(f[2]) .. "'", now, c)
    elseif f[1] == waiting[2] then
      local ver = (tonumber(f[6]) or 0) + 1
      if f[4] == '1' then
        end_cancelled(key, id, now, ver, '', 0, f[5], f[7], f[8], '1', c)
      else
        redis.call('HSET', key, 'state', 'QUEUED', 'qat', now_s, 'ver', int(ver))
        redis.call('HDEL', key, 'next_at')
        redis.call('ZADD', KEYS[5 - priority(f[2])], tonumber(f[3]) or 0, id)
        history(id, now)
        emit(id, ARGV[5], now, ver, 'QUEUED', '', 0, f[5], '', '', '0')
      end
    end
  end
end
local aging = tonumber(ARGV[8]) or 0
if aging > 0 then
  -- KEYS[4] LOW .. KEYS[2] HIGH rise into KEYS[3] NORMAL .. KEYS[1] URGENT.
  -- Queues are FIFO, so the oldest waiters are at the head: look at most
  -- 32 deep and stop at the first job that has not waited long enough.
  for level = 4, 2, -1 do
    local head = redis.call('ZRANGE', KEYS[level], 0, 31, 'WITHSCORES')
    for i = 1, #head, 2 do
      local id = head[i]
      -- When it was queued at this level ('qat', set when it rose, was
      -- reclaimed, retried or requeued; else when it was created); a record
      -- without either rises untouched, to fail when leased.
      local g = redis.pcall('HMGET', ARGV[4] .. id, 'qat', 'created')
      local readable = type(g) == 'table' and not g.err
      local qat = readable and (tonumber(g[1]) or tonumber(g[2])) or nil
      if qat and now - qat < aging then break end
      redis.call('ZREM', KEYS[level], id)
      redis.call('ZADD', KEYS[level - 1], head[i + 1], id)
      if qat then redis.call('HSET', ARGV[4] .. id, 'qat', now_s, 'lvl', 5 - (level - 1)) end
    end
  end
end
local want = tonumber(ARGV[1])
local ids = {}
for p = 1, 4 do
  if #ids >= want then break end
  local popped = redis.call('ZPOPMIN', KEYS[p], want - #ids)
  for i = 1, #popped, 2 do ids[#ids + 1] = popped[i] end
end
if #ids < want then redis.call('DEL', KEYS[7]) end
if #ids == 0 then return {} end
local token = redis.call('INCRBY', KEYS[6], #ids) - #ids
local deadline = int(now + tonumber(ARGV[2]))
local active = {}
local out = {}
for _, id in ipairs(ids) do
  token = token + 1
  local key = ARGV[4] .. id
  local f, err = read_fields(key, 'tpl', 'tver', 'prio', 'params', 'outputs', 'inline',
                             'submitter', 'created', 'idem', 'fresh', 'maxatt', 'fails',
                             'deadline', 'attempt', 'started', 'ver', 'state')
  if not f then
    fail_corrupt(key, id, err, now, c)
  elseif not f[17] then
    fail_corrupt(key, id, 'the record is missing', now, c)
  elseif f[17] ~= 'QUEUED' then
    -- Not queued (already finished or running elsewhere): a stray id.
  else
    local attempt = (tonumber(f[14]) or 0) + 1
    local ver = (tonumber(f[16]) or 0) + 1
    if attempt > 1 then
      clear_stage_times(key)
      redis.call('HSET', key, 'state', 'RUNNING', 'token', int(token), 'worker', ARGV[3],
                 'stage', '', 'progress', '0', 'attempt', int(attempt), 'ver', int(ver))
    else
      redis.call('HSET', key, 'state', 'RUNNING', 'token', int(token), 'worker', ARGV[3],
                 'attempt', '1', 'started', now_s, 'ver', int(ver))
    end
    active[#active + 1] = deadline
    active[#active + 1] = id
    history(id, now)
    emit(id, ARGV[5], now, ver, 'RUNNING', '', 0, attempt, '', '', '0')
    f[14], f[15], f[16], f[17] = nil, nil, nil, nil
    out[#out + 1] = {id, token, attempt, f}
  end
end
if #active > 0 then push_all('ZADD', KEYS[5], active) end
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
local f = redis.call('HMGET', KEYS[1], 'token', 'state', 'stage', 'cancel', 'attempt', 'ver')
if f[1] ~= ARGV[1] or f[2] ~= 'RUNNING' then return 0 end
local now = now_ms()
local ver = (tonumber(f[6]) or 0) + 1
if ARGV[2] ~= f[3] then
  if f[3] and f[3] ~= '' then end_stage(KEYS[1], f[3], now, ARGV[6]) end
  redis.call('HSET', KEYS[1], 't:' .. ARGV[2] .. ':s', int(now), 'stage', ARGV[2],
             'progress', ARGV[3], 'ver', int(ver))
else
  redis.call('HSET', KEYS[1], 'progress', ARGV[3], 'ver', int(ver))
end
emit(ARGV[4], ARGV[5], now, ver, 'RUNNING', ARGV[2], ARGV[3], f[5], '', '', f[4])
if f[4] == '1' then return 2 end
return 1
)lua";

// FINISH: ends leased jobs as COMPLETED, FAILED or CANCELLED (the worker's
// acknowledgement of a cancel request), many in one call. A job whose token
// does not match is left alone: a worker that lost its lease cannot finish
// the job. Idempotent for the finishing token (kept in `fin`): a worker
// whose reply was lost may call again and learns that it did finish.
//   KEYS[1] active  KEYS[2] stats  KEYS[3] template refs
//   ARGV[1] retention seconds (0 keeps finished jobs)  ARGV[2] event channel
//   prefix  ARGV[3] latency key prefix  ARGV[4] job key prefix
//   ARGV[5..] groups of 7: id, token, final state, error code, error message,
//   artifacts JSON, warnings JSON ('' for none)
// Result: one integer per job: 1 finished (by this call or an earlier one with
//   the same token), 0 lost.
constexpr const char* kFinish = R"lua(
local now = now_ms()
local now_s = int(now)
local out = {}
local counts = {}
local done = {}
local refs = {}
local retention = tonumber(ARGV[1])
for i = 5, #ARGV, 7 do
  local id, token, state = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = ARGV[4] .. id
  local f = redis.call('HMGET', key, 'token', 'state', 'stage', 'progress', 'attempt', 'cancel',
                       'ver', 'fin', 'tpl', 'tver', 'worker')
  if f[1] ~= token or f[2] ~= 'RUNNING' then
    if f[8] == token then out[#out + 1] = 1 else out[#out + 1] = 0 end
  else
    if f[3] and f[3] ~= '' then end_stage(key, f[3], now, ARGV[3]) end
    local ver = (tonumber(f[7]) or 0) + 1
    local progress = f[4]
    if ARGV[i + 6] ~= '' then redis.call('HSET', key, 'warnings', ARGV[i + 6]) end
    if state == 'COMPLETED' then
      progress = 100
      redis.call('HSET', key, 'state', state, 'token', '', 'fin', token, 'finished', now_s,
                 'progress', '100', 'artifacts', ARGV[i + 5], 'ver', int(ver))
    else
      if state == 'FAILED' then
        add_attempt_error(key, f[5], ARGV[i + 3], ARGV[i + 4], f[11], now)
        redis.call('HINCRBY', key, 'fails', 1)
      end
      redis.call('HSET', key, 'state', state, 'token', '', 'fin', token, 'finished', now_s,
                 'err_code', ARGV[i + 3], 'err_msg', ARGV[i + 4], 'ver', int(ver))
    end
    done[#done + 1] = id
    counts[state] = (counts[state] or 0) + 1
    count_ref(refs, f[9], f[10], -1)
    emit(id, ARGV[2], now, ver, state, f[3], progress, f[5], ARGV[i + 3], ARGV[i + 4], f[6])
    expire_finished(key, id, now, retention)
    out[#out + 1] = 1
  end
end
if #done > 0 then push_all('ZREM', KEYS[1], done) end
for state, n in pairs(counts) do redis.call('HINCRBY', KEYS[2], string.lower(state), n) end
apply_refs(KEYS[3], refs)
return out
)lua";

// CANCEL: a queued job, or one waiting for a retry or its run-at time, leaves its queue and
// is CANCELLED at once; a running job is flagged, and its worker stops it
// at the next checkpoint.
//   KEYS[1] job hash  KEYS[2..5] pending zsets URGENT, HIGH, NORMAL, LOW
//   KEYS[6] stats  KEYS[7] template refs  KEYS[8] scheduled  KEYS[9] delayed
//   ARGV[1] id  ARGV[2] retention seconds  ARGV[3] event channel prefix
// Result: 'CANCELLED', 'RUNNING' (flagged), 'NOT_FOUND', or the terminal
//   state the job already had.
constexpr const char* kCancel = R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'prio', 'stage', 'progress', 'attempt', 'ver',
                     'tpl', 'tver')
if not f[1] then return 'NOT_FOUND' end
local now = now_ms()
local ver = (tonumber(f[6]) or 0) + 1
if f[1] == 'QUEUED' or f[1] == 'RETRY_SCHEDULED' or f[1] == 'SCHEDULED' then
  -- Every level: aging may have lifted it above its own.
  for level = 2, 5 do redis.call('ZREM', KEYS[level], ARGV[1]) end
  redis.call('ZREM', KEYS[8], ARGV[1])
  redis.call('ZREM', KEYS[9], ARGV[1])
  end_cancelled(KEYS[1], ARGV[1], now, ver, f[3], f[4], f[5], f[7], f[8], '0',
                {KEYS[6], KEYS[7], ARGV[2], ARGV[3]})
  return 'CANCELLED'
elseif f[1] == 'RUNNING' then
  redis.call('HSET', KEYS[1], 'cancel', 1, 'ver', int(ver))
  emit(ARGV[1], ARGV[3], now, ver, 'RUNNING', f[3], f[4], f[5], '', '', '1')
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

// PUT_TEMPLATE_VERSIONS: stores versions of a template whose numbers the
// template archive (archived_templates.h) gave, as they are there: a new
// version just archived, or versions Redis lost. Never lowers `latest`;
// the templates zset's score only moves forward.
//   KEYS[1] template hash  KEYS[2] templates zset
//   ARGV[1] template id, then four per version: ARGV[2+4k] version
//   ARGV[3+4k] created ms  ARGV[4+4k] title  ARGV[5+4k] YAML
// Result: the template's latest version afterwards.
constexpr const char* kPutTemplateVersions = R"lua(
local latest = tonumber(redis.call('HGET', KEYS[1], 'latest')) or 0
local newest = 0
for i = 2, #ARGV, 4 do
  local v = ARGV[i]
  redis.call('HSET', KEYS[1], 'v:' .. v, ARGV[i + 3], 't:' .. v, ARGV[i + 1], 'title:' .. v,
             ARGV[i + 2])
  latest = math.max(latest, tonumber(v))
  newest = math.max(newest, tonumber(ARGV[i + 1]))
end
redis.call('HSET', KEYS[1], 'latest', int(latest))
local score = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
if not score or score < newest then redis.call('ZADD', KEYS[2], int(newest), ARGV[1]) end
return latest
)lua";

// DELETE_TEMPLATE: deletes a template with all its versions, unless queued
// or running jobs still use one of them.
//   KEYS[1] template hash  KEYS[2] templates zset  KEYS[3] template refs
//   ARGV[1] template id
// Result: -1 unknown template, 0 deleted, N > 0 refused: N live jobs use it.
constexpr const char* kDeleteTemplate = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local live = tonumber(redis.call('HGET', KEYS[3], ARGV[1])) or 0
if live > 0 then return live end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 0
)lua";

// TRIM_INDEX: drops from the job index the ids whose job hash has expired
// (finished jobs expire after the retention), oldest first, so ListJobs and
// Redis memory stay bounded. Live jobs are never dropped, however old.
//   KEYS[1] index
//   ARGV[1] cutoff (ms): only ids created before it are looked at
//   ARGV[2] most ids to look at  ARGV[3] job key prefix
// Result: the number of ids dropped.
constexpr const char* kTrimIndex = R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local gone = {}
for _, id in ipairs(ids) do
  if redis.call('EXISTS', ARGV[3] .. id) == 0 then gone[#gone + 1] = id end
end
if #gone > 0 then push_all('ZREM', KEYS[1], gone) end
return #gone
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

// RETRY: ends a leased job's attempt with a retryable error. The attempt
// goes into the job's history, and the job waits in the scheduled zset
// until now + ARGV[8] ms, when LEASE queues it again. Left alone when the
// token does not match (the lease was lost).
//   KEYS[1] active  KEYS[2] scheduled  KEYS[3] stats
//   ARGV[1] job key prefix  ARGV[2] event channel prefix  ARGV[3] latency
//   key prefix  ARGV[4] id  ARGV[5] token  ARGV[6] error code  ARGV[7] error
//   message  ARGV[8] delay ms  ARGV[9] warnings JSON ('' for none)
// Result: 1 scheduled, 0 lost.
constexpr const char* kRetry = R"lua(
local key = ARGV[1] .. ARGV[4]
local f = redis.call('HMGET', key, 'token', 'state', 'stage', 'attempt', 'cancel', 'ver',
                     'worker')
if f[1] ~= ARGV[5] or f[2] ~= 'RUNNING' then return 0 end
local now = now_ms()
if f[3] and f[3] ~= '' then end_stage(key, f[3], now, ARGV[3]) end
add_attempt_error(key, f[4], ARGV[6], ARGV[7], f[7], now)
local due = now + tonumber(ARGV[8])
local ver = (tonumber(f[6]) or 0) + 1
redis.call('HINCRBY', key, 'fails', 1)
redis.call('HSET', key, 'state', 'RETRY_SCHEDULED', 'token', '', 'next_at', int(due),
           'err_code', ARGV[6], 'err_msg', ARGV[7], 'stage', '', 'progress', 0, 'ver', int(ver))
if ARGV[9] ~= '' then redis.call('HSET', key, 'warnings', ARGV[9]) end
redis.call('ZREM', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], due, ARGV[4])
redis.call('HINCRBY', KEYS[3], 'retried', 1)
history(ARGV[4], now)
emit(ARGV[4], ARGV[2], now, ver, 'RETRY_SCHEDULED', '', 0, f[4], ARGV[6], ARGV[7], f[5])
return 1
)lua";

// RELEASE: gives a leased job back to its queue, at its old place, as if
// this attempt had not started (a worker shutting down that could not
// finish it in time). Left alone when the token does not match.
//   KEYS[1] active  KEYS[2..5] pending zsets URGENT, HIGH, NORMAL, LOW
//   KEYS[6] signal
//   ARGV[1] job key prefix  ARGV[2] event channel prefix  ARGV[3] id
//   ARGV[4] token
// Result: 1 released, 0 lost.
constexpr const char* kRelease = R"lua(
local key = ARGV[1] .. ARGV[3]
local f = redis.call('HMGET', key, 'token', 'state', 'prio', 'seq', 'attempt', 'ver')
local p = priority(f[3])
if f[1] ~= ARGV[4] or f[2] ~= 'RUNNING' or not p then return 0 end
local now = now_ms()
local attempt = math.max(0, (tonumber(f[5]) or 1) - 1)
local ver = (tonumber(f[6]) or 0) + 1
clear_stage_times(key)
redis.call('HSET', key, 'state', 'QUEUED', 'token', '', 'worker', '', 'stage', '',
           'progress', 0, 'attempt', int(attempt), 'qat', int(now), 'ver', int(ver))
redis.call('ZREM', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[6 - p], tonumber(f[4]) or 0, ARGV[3])
if redis.call('LLEN', KEYS[6]) < 64 then redis.call('LPUSH', KEYS[6], 1) end
history(ARGV[3], now)
emit(ARGV[3], ARGV[2], now, ver, 'QUEUED', '', 0, attempt, '', '', '0')
return 1
)lua";

// REQUEUE: sends a FAILED job (a dead letter) back to the end of its
// priority's queue with a fresh retry budget (its count of failed attempts
// starts again from 0); its history stays.
//   KEYS[1] job hash  KEYS[2..5] pending zsets URGENT, HIGH, NORMAL, LOW
//   KEYS[6] seq  KEYS[7] signal  KEYS[8] stats  KEYS[9] template refs
//   KEYS[10] the template's hash (checked for the pinned version)
//   ARGV[1] id  ARGV[2] event channel prefix
// Result: 'QUEUED'; 'NOT_FOUND'; 'NO_TEMPLATE' when its pinned template
//   version was deleted; 'BAD_RECORD' for an unreadable priority; else the
//   job's state (not FAILED: nothing to requeue).
constexpr const char* kRequeue = R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'prio', 'attempt', 'ver', 'tpl', 'tver')
if not f[1] then return 'NOT_FOUND' end
if f[1] ~= 'FAILED' then return f[1] end
if f[6] and f[6] ~= '' and f[6] ~= '0' and redis.call('HEXISTS', KEYS[10], 'v:' .. f[6]) == 0 then
  return 'NO_TEMPLATE'
end
local p = tonumber(f[2])
if not p or p < 1 or p > 4 then return 'BAD_RECORD' end
local now = now_ms()
local ver = (tonumber(f[4]) or 0) + 1
local seq = redis.call('INCR', KEYS[6])
redis.call('HDEL', KEYS[1], 'finished', 'err_code', 'err_msg', 'fin', 'next_at', 'cancel',
           'artifacts', 'warnings')
redis.call('HSET', KEYS[1], 'state', 'QUEUED', 'seq', int(seq), 'qat', int(now), 'fails', 0,
           'lost', 0,
           'token', '', 'worker', '', 'stage', '', 'progress', 0, 'ver', int(ver))
redis.call('PERSIST', KEYS[1])
redis.call('ZADD', KEYS[6 - p], seq, ARGV[1])
local refs = {}
count_ref(refs, f[5], f[6], 1)
apply_refs(KEYS[9], refs)
redis.call('HINCRBY', KEYS[8], 'requeued', 1)
history(ARGV[1], now)
if redis.call('LLEN', KEYS[7]) < 64 then redis.call('LPUSH', KEYS[7], 1) end
emit(ARGV[1], ARGV[2], now, ver, 'QUEUED', '', 0, f[3], '', '', '0')
return 'QUEUED'
)lua";

// RELEASE_CACHE_LOCK: ends a single-flight fetch of a data source. Only
// the lock's holder releases it (a holder whose lock expired and was taken
// over leaves the new holder's alone). A failed fetch leaves its error for
// the jobs that waited on it.
//   KEYS[1] lock  KEYS[2] failure key of this token
//   ARGV[1] token  ARGV[2] "CODE\nmessage" of a failed fetch, or ""
//   ARGV[3] how long the failure is kept, ms
// Result: 1 released, 0 the lock was no longer this token's.
constexpr const char* kReleaseCacheLock = R"lua(
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua";

// HISTORY_LOCK: takes or renews the history writer's lock: one writer
// copies the outbox at a time; another takes over when its holder stops
// renewing.
//   KEYS[1] lock  ARGV[1] writer id  ARGV[2] lock TTL ms
// Result: 1 held by ARGV[1], 0 held by another writer.
constexpr const char* kHistoryLock = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)lua";

// HISTORY_ACK: the history writer has copied these job records to
// PostgreSQL. A job leaves the outbox only when its record did not change
// since it was read (same `ver`); a changed one stays for the next round.
// A finished job that left the outbox expires after the retention.
//   KEYS[1] outbox
//   ARGV[1] job key prefix  ARGV[2] retention seconds (0 keeps them)
//   ARGV[3..] pairs of id, ver as read ('0' when it had none)
// Result: how many left the outbox.
constexpr const char* kHistoryAck = R"lua(
local retention = tonumber(ARGV[2])
local acked = 0
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  local f = redis.pcall('HMGET', key, 'ver', 'state')
  local unreadable = type(f) ~= 'table' or f.err ~= nil
  if unreadable or (not f[2]) or (f[1] or '0') == ARGV[i + 1] then
    redis.call('ZREM', KEYS[1], id)
    acked = acked + 1
    if not unreadable and retention > 0 and (f[2] == 'COMPLETED' or f[2] == 'FAILED' or
                                             f[2] == 'CANCELLED') then
      redis.call('EXPIRE', key, retention)
    end
  end
end
return acked
)lua";

// SCHEDULE_CREATE: stores a new schedule; active ones join the due zset.
//   KEYS[1] schedule hash  KEYS[2] schedules zset  KEYS[3] due zset
//   ARGV[1] id  ARGV[2] cron  ARGV[3] time zone  ARGV[4] job  ARGV[5] paused
//   ('1' or '0')  ARGV[6] next run ms (-1: none)
// Result: 1 created, 0 the id is taken.
constexpr const char* kScheduleCreate = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = now_ms()
redis.call('HSET', KEYS[1], 'cron', ARGV[2], 'tz', ARGV[3], 'job', ARGV[4], 'paused', ARGV[5],
           'next', ARGV[6], 'runs', 0, 'created', int(now))
redis.call('ZADD', KEYS[2], now, ARGV[1])
if ARGV[5] ~= '1' and tonumber(ARGV[6]) >= 0 then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1]) end
return 1
)lua";

// SCHEDULE_SET_PAUSED: pauses a schedule (it leaves the due zset), or
// resumes it with its next run at ARGV[3].
//   KEYS[1] schedule hash  KEYS[2] due zset
//   ARGV[1] id  ARGV[2] '1' pause, '0' resume  ARGV[3] next run ms (resume)
// Result: 1 done, 0 unknown schedule.
constexpr const char* kScheduleSetPaused = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'paused', '1')
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[1], 'paused', '0', 'next', ARGV[3])
  if tonumber(ARGV[3]) >= 0 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
end
return 1
)lua";

// SCHEDULE_DELETE: removes a schedule.
//   KEYS[1] schedule hash  KEYS[2] schedules zset  KEYS[3] due zset
//   ARGV[1] id
// Result: 1 deleted, 0 unknown schedule.
constexpr const char* kScheduleDelete = R"lua(
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
)lua";

// SCHEDULE_ADVANCE: moves a schedule past the run ARGV[2] that a scheduler
// has just submitted (or failed to), if no other scheduler did already.
//   KEYS[1] schedule hash  KEYS[2] due zset
//   ARGV[1] id  ARGV[2] the run's time ms  ARGV[3] next run ms (-1: none)
//   ARGV[4] the run's job id ('' when it could not be submitted)
//   ARGV[5] why it could not be
// Result: 1 advanced, 0 gone, paused or already past that run.
constexpr const char* kScheduleAdvance = R"lua(
local f = redis.call('HMGET', KEYS[1], 'next', 'paused')
if not f[1] or f[2] == '1' or f[1] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'next', ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'last', ARGV[2], 'last_job', ARGV[4], 'err', '')
  redis.call('HINCRBY', KEYS[1], 'runs', 1)
else
  redis.call('HSET', KEYS[1], 'err', ARGV[5])
end
if tonumber(ARGV[3]) >= 0 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1
)lua";

LuaScript Make(const char* name, const char* body) {
  // The history keys are fixed names (redis_keys.h), bound once here
  // rather than passed to every script that changes a job.
  std::string text = "local HISTORY_ON, HISTORY_OUTBOX = '" + keys::HistoryOn() + "', '" +
                     keys::HistoryOutbox() + "'\n" + kPrelude + body;
  std::string sha = ScriptSha1(text);
  return LuaScript{name, std::move(text), std::move(sha)};
}

}  // namespace

#define QUIRE_SCRIPT(fn, name, body)             \
  const LuaScript& fn() {                        \
    static const LuaScript s = Make(name, body); \
    return s;                                    \
  }
QUIRE_SCRIPT(Submit, "submit", kSubmit)
QUIRE_SCRIPT(Lease, "lease", kLease)
QUIRE_SCRIPT(Extend, "extend", kExtend)
QUIRE_SCRIPT(Progress, "progress", kProgress)
QUIRE_SCRIPT(Finish, "finish", kFinish)
QUIRE_SCRIPT(Cancel, "cancel", kCancel)
QUIRE_SCRIPT(PutTemplate, "put_template", kPutTemplate)
QUIRE_SCRIPT(PutTemplateVersions, "put_template_versions", kPutTemplateVersions)
QUIRE_SCRIPT(DeleteTemplate, "delete_template", kDeleteTemplate)
QUIRE_SCRIPT(TrimIndex, "trim_index", kTrimIndex)
QUIRE_SCRIPT(Heartbeat, "heartbeat", kHeartbeat)
QUIRE_SCRIPT(ReleaseCacheLock, "release_cache_lock", kReleaseCacheLock)
QUIRE_SCRIPT(Retry, "retry", kRetry)
QUIRE_SCRIPT(Requeue, "requeue", kRequeue)
QUIRE_SCRIPT(Release, "release", kRelease)
QUIRE_SCRIPT(HistoryLock, "history_lock", kHistoryLock)
QUIRE_SCRIPT(HistoryAck, "history_ack", kHistoryAck)
QUIRE_SCRIPT(ScheduleCreate, "schedule_create", kScheduleCreate)
QUIRE_SCRIPT(ScheduleSetPaused, "schedule_set_paused", kScheduleSetPaused)
QUIRE_SCRIPT(ScheduleAdvance, "schedule_advance", kScheduleAdvance)
QUIRE_SCRIPT(ScheduleDelete, "schedule_delete", kScheduleDelete)
#undef QUIRE_SCRIPT

}  // namespace quire::scripts
