#include "common/queue/lease_script.h"

#include "common/queue/job_codec.h"
#include "common/queue/redis_keys.h"

namespace quire::scripts {
namespace {

// LEASE, in four parts run in order:
//   1. reclaim_expired(): expired leases go back to their queue at their old
//      place (or end CANCELLED when a cancel was requested, or FAILED when
//      the job has lost max_lost leases: a crash loop), the lost attempt in
//      the job's history.
//   2. queue_due(): RETRY_SCHEDULED and SCHEDULED jobs whose time has come
//      join their queue.
//   3. age(): jobs that waited longer than `aging` ms at their level rise one
//      level (LOW jobs finish under any URGENT load); a risen job keeps its
//      sequence number, so it is ahead of the jobs queued at that level
//      after it.
//   4. take(): leases up to max_jobs jobs in strict priority order, FIFO
//      within a priority. Each gets a new fencing token and a deadline of
//      now + lease_ms in the active zset. When the queues run dry the signal
//      list is cleared, so idle workers block.
// Parts 1 and 2 handle at most `batch` jobs each per call.
//   KEYS[1..4] pending zsets URGENT, HIGH, NORMAL, LOW   KEYS[5] active
//   KEYS[6] fence   KEYS[7] signal   KEYS[8] stats   KEYS[9] template refs
//   KEYS[10] scheduled (retries)  KEYS[11] delayed (run_at)
//   ARGV[1] max jobs  ARGV[2] lease ms  ARGV[3] worker id  ARGV[4] job key prefix
//   ARGV[5] event channel prefix  ARGV[6] batch: max leases to reclaim (also
//   the most due jobs queued)  ARGV[7] retention of finished jobs in seconds
//   ARGV[8] aging interval in ms (0: no aging)  ARGV[9] expired leases after
//   which a job is FAILED instead of queued again (0: never)
//   LEASED_FIELDS: the fields handed to the worker, generated from
//   LeasedFields() (job_codec.h).
// Result: array of {id, token, attempt, {the values of LEASED_FIELDS}}.
constexpr const char* kLease = R"lua(
local max_jobs, lease_ms, worker = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local job_prefix, chan_prefix = ARGV[4], ARGV[5]
local batch, retention = tonumber(ARGV[6]), ARGV[7]
local aging, max_lost = tonumber(ARGV[8]) or 0, tonumber(ARGV[9]) or 0
local active, fence, signal, stats = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local now = now_ms()
local now_s = int(now)
local c = {stats, KEYS[9], retention, chan_prefix}

-- The pending zset of priority p (1 LOW .. 4 URGENT).
local function pending(p) return KEYS[5 - p] end

-- Puts job `id`, just marked QUEUED at event `ver`, back in the queue of
-- priority `prio` at its place `seq`, and tells its watchers.
local function queue_again(id, prio, seq, ver, attempt)
  redis.call('ZADD', pending(priority(prio)), tonumber(seq) or 0, id)
  history(id, now)
  emit(id, chan_prefix, now, ver, 'QUEUED', '', 0, attempt, '', '', '0')
end

local function reclaim_expired()
  local expired = redis.call('ZRANGEBYSCORE', active, '-inf', now, 'LIMIT', 0, batch)
  for _, id in ipairs(expired) do
    redis.call('ZREM', active, id)
    local key = job_prefix .. id
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
        redis.call('HINCRBY', stats, 'reclaimed', 1)
        local lost = redis.call('HINCRBY', key, 'lost', 1)
        if max_lost > 0 and lost >= max_lost then
          -- A job that takes its worker down every time (a crash loop) ends
          -- here instead of going round forever.
          local msg = 'its worker stopped while running it ' .. lost ..
                      ' times (crashed, frozen or cut off); the job may be crashing workers'
          end_unleased(key, id, now, ver, 'FAILED', 'ABORTED', msg, f[5], f[6], f[7], f[9],
                       f[10], '0', c)
        else
          redis.call('HSET', key, 'state', 'QUEUED', 'token', '', 'worker', '', 'stage', '',
                     'progress', 0, 'qat', now_s, 'ver', int(ver))
          queue_again(id, f[2], f[3], ver, f[7])
        end
      end
    end
  end
end

-- The jobs of `waiting` (a zset scored by when they may run) in `state`
-- whose time has come join their queue.
local function queue_due(waiting, state)
  local due = redis.call('ZRANGEBYSCORE', waiting, '-inf', now, 'LIMIT', 0, batch)
  for _, id in ipairs(due) do
    redis.call('ZREM', waiting, id)
    local key = job_prefix .. id
    local f, err = read_fields(key, 'state', 'prio', 'seq', 'cancel', 'attempt', 'ver', 'tpl',
                                'tver')
    if not f then
      fail_corrupt(key, id, err, now, c)
    elseif f[1] == state and not priority(f[2]) then
      fail_corrupt(key, id, "priority '" .. tostring(f[2]) .. "'", now, c)
    elseif f[1] == state then
      local ver = (tonumber(f[6]) or 0) + 1
      if f[4] == '1' then
        end_cancelled(key, id, now, ver, '', 0, f[5], f[7], f[8], '1', c)
      else
        redis.call('HSET', key, 'state', 'QUEUED', 'qat', now_s, 'ver', int(ver))
        redis.call('HDEL', key, 'next_at')
        queue_again(id, f[2], f[3], ver, f[5])
      end
    end
  end
end

local function age()
  -- LOW .. HIGH rise into NORMAL .. URGENT. Queues are FIFO, so the oldest
  -- waiters are at the head: look at most 32 deep and stop at the first job
  -- that has not waited long enough.
  for p = 1, 3 do
    local head = redis.call('ZRANGE', pending(p), 0, 31, 'WITHSCORES')
    for i = 1, #head, 2 do
      local id = head[i]
      -- When it was queued at this level ('qat', set when it rose, was
      -- reclaimed, retried or requeued; else when it was created); a record
      -- without either rises untouched, to fail when leased.
      local g = redis.pcall('HMGET', job_prefix .. id, 'qat', 'created')
      local readable = type(g) == 'table' and not g.err
      local qat = readable and (tonumber(g[1]) or tonumber(g[2])) or nil
      if qat and now - qat < aging then break end
      redis.call('ZREM', pending(p), id)
      redis.call('ZADD', pending(p + 1), head[i + 1], id)
      if qat then redis.call('HSET', job_prefix .. id, 'qat', now_s, 'lvl', p + 1) end
    end
  end
end

local function take()
  local ids = {}
  for p = 4, 1, -1 do
    if #ids >= max_jobs then break end
    local popped = redis.call('ZPOPMIN', pending(p), max_jobs - #ids)
    for i = 1, #popped, 2 do ids[#ids + 1] = popped[i] end
  end
  if #ids < max_jobs then redis.call('DEL', signal) end
  if #ids == 0 then return {} end
  local token = redis.call('INCRBY', fence, #ids) - #ids
  local deadline = int(now + lease_ms)
  local leased = {}
  local out = {}
  local n = #LEASED_FIELDS
  for _, id in ipairs(ids) do
    token = token + 1
    local key = job_prefix .. id
    local f, err = read_fields(key, 'state', 'attempt', 'ver', unpack(LEASED_FIELDS))
    if not f then
      fail_corrupt(key, id, err, now, c)
    elseif not f[1] then
      fail_corrupt(key, id, 'the record is missing', now, c)
    elseif f[1] ~= 'QUEUED' then
      -- Not queued (already finished or running elsewhere): a stray id.
    else
      local attempt = (tonumber(f[2]) or 0) + 1
      local ver = (tonumber(f[3]) or 0) + 1
      if attempt > 1 then
        clear_stage_times(key)
        redis.call('HSET', key, 'state', 'RUNNING', 'token', int(token), 'worker', worker,
                   'stage', '', 'progress', '0', 'attempt', int(attempt), 'ver', int(ver))
      else
        redis.call('HSET', key, 'state', 'RUNNING', 'token', int(token), 'worker', worker,
                   'attempt', '1', 'started', now_s, 'ver', int(ver))
      end
      leased[#leased + 1] = deadline
      leased[#leased + 1] = id
      history(id, now)
      emit(id, chan_prefix, now, ver, 'RUNNING', '', 0, attempt, '', '', '0')
      out[#out + 1] = {id, token, attempt, {unpack(f, 4, 3 + n)}}
    end
  end
  if #leased > 0 then push_all('ZADD', active, leased) end
  return out
end

reclaim_expired()
queue_due(KEYS[10], 'RETRY_SCHEDULED')
queue_due(KEYS[11], 'SCHEDULED')
if aging > 0 then age() end
return take()
)lua";

const LuaScript& LeaseScript() {
  static const LuaScript script =
      MakeScript("lease", "local LEASED_FIELDS = " + LuaStringList(LeasedFields()) + "\n" + kLease);
  return script;
}

}  // namespace

ScriptCall Lease(const LeaseRequest& request) {
  const QueueOptions& o = *request.options;
  return {&LeaseScript(),
          {keys::Pending(Priority::kUrgent), keys::Pending(Priority::kHigh),
           keys::Pending(Priority::kNormal), keys::Pending(Priority::kLow), keys::Active(),
           keys::Fence(), keys::Signal(), keys::Stats(), keys::TemplateRefs(), keys::Scheduled(),
           keys::Delayed()},
          {std::to_string(request.max_jobs), std::to_string(o.lease_duration.count()),
           request.worker_id, keys::JobPrefix(), keys::EventChannelPrefix(),
           std::to_string(o.reclaim_batch), std::to_string(o.retention.count()),
           std::to_string(o.aging.count()), std::to_string(o.max_lost_leases)}};
}

std::vector<LeasedJob> ParseLease(const RedisReply& reply) {
  const size_t fields = LeasedFields().size();
  std::vector<LeasedJob> jobs;
  jobs.reserve(reply.Size());
  for (size_t i = 0; i < reply.Size(); ++i) {
    const redisReply* e = reply.Element(i);
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 4) continue;
    const redisReply* f = e->element[3];
    if (f->type != REDIS_REPLY_ARRAY || f->elements != fields) continue;
    std::vector<std::string> values;
    values.reserve(fields);
    for (size_t k = 0; k < fields; ++k) values.push_back(ElementString(f->element[k]));
    jobs.push_back(LeasedJobFromFields(ElementString(e->element[0]), ElementInteger(e->element[1]),
                                       static_cast<int>(ElementInteger(e->element[2])), values));
  }
  return jobs;
}

}  // namespace quire::scripts
