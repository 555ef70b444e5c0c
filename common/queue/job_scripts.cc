#include "common/queue/job_scripts.h"

#include <algorithm>

#include "common/queue/job_codec.h"
#include "common/queue/redis_keys.h"

namespace quire::scripts {
namespace {

std::vector<std::string> PendingKeys() {
  return {keys::Pending(Priority::kUrgent), keys::Pending(Priority::kHigh),
          keys::Pending(Priority::kNormal), keys::Pending(Priority::kLow)};
}

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

const LuaScript& SubmitScript() {
  static const LuaScript script = MakeScript("submit", kSubmit);
  return script;
}

}  // namespace

ScriptCall Submit(std::span<const JobSpec> specs, std::span<const std::string> ids,
                  std::chrono::seconds idempotency_ttl) {
  ScriptCall call{&SubmitScript(), PendingKeys(), {}};
  call.keys.insert(call.keys.end(), {keys::Sequence(), keys::Signal(), keys::Index(), keys::Stats(),
                                     keys::TemplateRefs(), keys::Delayed()});
  std::vector<std::string>& a = call.args;
  a = {keys::JobPrefix(), keys::Idempotency(""), std::to_string(idempotency_ttl.count())};
  a.reserve(3 + 13 * specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const JobSpec& spec = specs[i];
    a.push_back(ids[i]);
    a.push_back(spec.template_id);
    a.push_back(std::to_string(spec.template_version));
    a.push_back(std::to_string(static_cast<int>(spec.priority)));
    a.push_back(EncodeParams(spec.params));
    a.push_back(JoinList(spec.outputs));
    a.push_back(spec.submitter);
    a.push_back(spec.inline_template);
    a.push_back(spec.idempotency_key);
    a.push_back(spec.fresh_data ? "1" : "");
    a.push_back(std::to_string(std::max(0, spec.max_attempts)));
    a.push_back(std::to_string(std::max<int64_t>(0, spec.deadline_ms)));
    a.push_back(std::to_string(std::max<int64_t>(0, spec.run_at_ms)));
  }
  return call;
}

StatusOr<std::vector<SubmitResult>> ParseSubmit(const RedisReply& reply, size_t count) {
  if (reply.Size() != 2 * count) return Status::Internal("submit: unexpected reply");
  std::vector<SubmitResult> out;
  out.reserve(count);
  for (size_t i = 0; i < reply.Size(); i += 2) {
    out.push_back({ElementString(reply.Element(i)), ElementInteger(reply.Element(i + 1)) == 1});
  }
  return out;
}

namespace {

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

const LuaScript& ExtendScript() {
  static const LuaScript script = MakeScript("extend", kExtend);
  return script;
}

}  // namespace

ScriptCall Extend(const std::vector<const LeasedJob*>& jobs, std::chrono::milliseconds lease) {
  ScriptCall call{&ExtendScript(), {keys::Active()}, {}};
  call.args = {std::to_string(lease.count()), keys::JobPrefix()};
  call.args.reserve(2 + 2 * jobs.size());
  for (const auto* j : jobs) {
    call.args.push_back(j->id);
    call.args.push_back(std::to_string(j->token));
  }
  return call;
}

namespace {

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

const LuaScript& ProgressScript() {
  static const LuaScript script = MakeScript("progress", kProgress);
  return script;
}

}  // namespace

ScriptCall Progress(const LeasedJob& job, Stage stage, int percent) {
  return {&ProgressScript(),
          {keys::Job(job.id)},
          {std::to_string(job.token), StageName(stage), std::to_string(percent), job.id,
           keys::EventChannelPrefix(), keys::StageLatencyPrefix()}};
}

namespace {

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

const LuaScript& FinishScript() {
  static const LuaScript script = MakeScript("finish", kFinish);
  return script;
}

}  // namespace

ScriptCall Finish(const std::vector<FinishRequest>& requests, std::chrono::seconds retention) {
  ScriptCall call{&FinishScript(), {keys::Active(), keys::Stats(), keys::TemplateRefs()}, {}};
  std::vector<std::string>& a = call.args;
  a = {std::to_string(retention.count()), keys::EventChannelPrefix(), keys::StageLatencyPrefix(),
       keys::JobPrefix()};
  a.reserve(4 + 7 * requests.size());
  for (const auto& r : requests) {
    a.push_back(r.job->id);
    a.push_back(std::to_string(r.job->token));
    a.push_back(JobStateName(r.state));
    a.push_back(r.code);
    a.push_back(r.message);
    a.push_back(r.artifacts);
    a.push_back(r.warnings);
  }
  return call;
}

LeaseState LeaseStateFromReply(long long value) {
  if (value == 1) return LeaseState::kHeld;
  if (value == 2) return LeaseState::kCancelRequested;
  return LeaseState::kLost;
}

StatusOr<std::vector<LeaseState>> ParseLeaseStates(const RedisReply& reply, size_t count,
                                                   const char* script) {
  if (reply.Size() != count) return Status::Internal(std::string(script) + ": unexpected reply");
  std::vector<LeaseState> out;
  out.reserve(count);
  for (size_t i = 0; i < reply.Size(); ++i) {
    out.push_back(LeaseStateFromReply(ElementInteger(reply.Element(i))));
  }
  return out;
}

namespace {

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

const LuaScript& CancelScript() {
  static const LuaScript script = MakeScript("cancel", kCancel);
  return script;
}

}  // namespace

ScriptCall Cancel(const std::string& job_id, std::chrono::seconds retention) {
  ScriptCall call{&CancelScript(), {keys::Job(job_id)}, {}};
  for (auto& p : PendingKeys()) call.keys.push_back(std::move(p));
  call.keys.insert(call.keys.end(),
                   {keys::Stats(), keys::TemplateRefs(), keys::Scheduled(), keys::Delayed()});
  call.args = {job_id, std::to_string(retention.count()), keys::EventChannelPrefix()};
  return call;
}

namespace {

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

const LuaScript& RetryScript() {
  static const LuaScript script = MakeScript("retry", kRetry);
  return script;
}

}  // namespace

ScriptCall Retry(const LeasedJob& job, const Status& error, std::chrono::milliseconds delay,
                 const std::string& warnings) {
  return {&RetryScript(),
          {keys::Active(), keys::Scheduled(), keys::Stats()},
          {keys::JobPrefix(), keys::EventChannelPrefix(), keys::StageLatencyPrefix(), job.id,
           std::to_string(job.token), StatusCodeName(error.code()), error.message(),
           std::to_string(std::max<int64_t>(0, delay.count())), warnings}};
}

namespace {

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

const LuaScript& ReleaseScript() {
  static const LuaScript script = MakeScript("release", kRelease);
  return script;
}

}  // namespace

ScriptCall Release(const LeasedJob& job) {
  ScriptCall call{&ReleaseScript(), {keys::Active()}, {}};
  for (auto& p : PendingKeys()) call.keys.push_back(std::move(p));
  call.keys.push_back(keys::Signal());
  call.args = {keys::JobPrefix(), keys::EventChannelPrefix(), job.id, std::to_string(job.token)};
  return call;
}

namespace {

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

const LuaScript& RequeueScript() {
  static const LuaScript script = MakeScript("requeue", kRequeue);
  return script;
}

}  // namespace

ScriptCall Requeue(const std::string& job_id, const std::string& template_id) {
  ScriptCall call{&RequeueScript(), {keys::Job(job_id)}, {}};
  for (auto& p : PendingKeys()) call.keys.push_back(std::move(p));
  call.keys.insert(call.keys.end(), {keys::Sequence(), keys::Signal(), keys::Stats(),
                                     keys::TemplateRefs(), keys::Template(template_id)});
  call.args = {job_id, keys::EventChannelPrefix()};
  return call;
}

namespace {

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

const LuaScript& TrimIndexScript() {
  static const LuaScript script = MakeScript("trim_index", kTrimIndex);
  return script;
}

}  // namespace

ScriptCall TrimIndex(int64_t cutoff_ms, int max_ids) {
  return {&TrimIndexScript(),
          {keys::Index()},
          {std::to_string(cutoff_ms), std::to_string(max_ids), keys::JobPrefix()}};
}

namespace {

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

const LuaScript& HeartbeatScript() {
  static const LuaScript script = MakeScript("heartbeat", kHeartbeat);
  return script;
}

}  // namespace

ScriptCall Heartbeat(const std::string& worker_id) {
  return {&HeartbeatScript(), {keys::Workers()}, {worker_id}};
}

}  // namespace quire::scripts
