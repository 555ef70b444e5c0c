#include "common/queue/lua_script.h"

#include "common/queue/redis_keys.h"

namespace quire {
namespace {

// Helpers every script starts with.
//   now_ms(): the time in milliseconds: Redis' clock, or the caller's Clock
//     when RunScript() was given one (CLOCK, taken off ARGV by MakeScript).
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
//     are bound by MakeScript() below.
constexpr const char* kPrelude = R"lua(
local function now_ms()
  if CLOCK ~= '' then return tonumber(CLOCK) end
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

}  // namespace

LuaScript MakeScript(const char* name, const std::string& body) {
  // ARGV[1] of every call is the caller's clock ('' for Redis' own); it is
  // taken off so that bodies index ARGV as they document. The history keys
  // are fixed names (redis_keys.h), bound once here rather than passed to
  // every script that changes a job.
  std::string text =
      "local CLOCK = table.remove(ARGV, 1)\n"
      "local HISTORY_ON, HISTORY_OUTBOX = '" +
      keys::HistoryOn() + "', '" + keys::HistoryOutbox() + "'\n" + kPrelude + body;
  std::string sha = ScriptSha1(text);
  return LuaScript{name, std::move(text), std::move(sha)};
}

StatusOr<RedisReply> RunScript(RedisConnection& conn, ScriptCall call, const Clock* clock) {
  call.args.insert(call.args.begin(),
                   clock == nullptr ? std::string() : std::to_string(clock->NowMillis()));
  return conn.Eval(call.script->text, call.script->sha1, call.keys, call.args);
}

std::string LuaStringList(const std::vector<std::string>& names) {
  std::string out = "{";
  for (const auto& n : names) {
    if (out.size() > 1) out += ", ";
    out += "'" + n + "'";
  }
  return out + "}";
}

}  // namespace quire
