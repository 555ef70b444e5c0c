#include "common/store/internal/store_scripts.h"

#include "common/queue/redis_keys.h"

namespace quire::scripts {
namespace {

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

const LuaScript& PutTemplateScript() {
  static const LuaScript script = MakeScript("put_template", kPutTemplate);
  return script;
}

}  // namespace

ScriptCall PutTemplate(const std::string& id, const std::string& yaml, const std::string& title) {
  return {&PutTemplateScript(), {keys::Template(id), keys::Templates()}, {yaml, id, title}};
}

namespace {

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

const LuaScript& PutTemplateVersionsScript() {
  static const LuaScript script = MakeScript("put_template_versions", kPutTemplateVersions);
  return script;
}

}  // namespace

ScriptCall PutTemplateVersions(const std::vector<ArchivedTemplate>& versions) {
  const std::string& id = versions.front().id;
  ScriptCall call{&PutTemplateVersionsScript(), {keys::Template(id), keys::Templates()}, {id}};
  for (const auto& t : versions) {
    call.args.insert(call.args.end(),
                     {std::to_string(t.version), std::to_string(t.created_ms), t.title, t.yaml});
  }
  return call;
}

namespace {

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

const LuaScript& DeleteTemplateScript() {
  static const LuaScript script = MakeScript("delete_template", kDeleteTemplate);
  return script;
}

}  // namespace

ScriptCall DeleteTemplate(const std::string& id) {
  return {
      &DeleteTemplateScript(), {keys::Template(id), keys::Templates(), keys::TemplateRefs()}, {id}};
}

namespace {

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

const LuaScript& HistoryLockScript() {
  static const LuaScript script = MakeScript("history_lock", kHistoryLock);
  return script;
}

}  // namespace

ScriptCall HistoryLock(const std::string& writer_id, std::chrono::milliseconds ttl) {
  return {&HistoryLockScript(), {keys::HistoryLock()}, {writer_id, std::to_string(ttl.count())}};
}

namespace {

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

const LuaScript& HistoryAckScript() {
  static const LuaScript script = MakeScript("history_ack", kHistoryAck);
  return script;
}

}  // namespace

ScriptCall HistoryAck(std::chrono::seconds retention,
                      const std::vector<std::pair<std::string, std::string>>& read) {
  ScriptCall call{&HistoryAckScript(),
                  {keys::HistoryOutbox()},
                  {keys::JobPrefix(), std::to_string(retention.count())}};
  call.args.reserve(2 + 2 * read.size());
  for (const auto& [id, ver] : read) {
    call.args.push_back(id);
    call.args.push_back(ver);
  }
  return call;
}

namespace {

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

const LuaScript& ScheduleCreateScript() {
  static const LuaScript script = MakeScript("schedule_create", kScheduleCreate);
  return script;
}

}  // namespace

ScriptCall ScheduleCreate(const ScheduleRecord& rec) {
  return {&ScheduleCreateScript(),
          {keys::Schedule(rec.id), keys::Schedules(), keys::SchedulesDue()},
          {rec.id, rec.cron, rec.time_zone, rec.job, rec.paused ? "1" : "0",
           std::to_string(rec.next_ms)}};
}

namespace {

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

const LuaScript& ScheduleSetPausedScript() {
  static const LuaScript script = MakeScript("schedule_set_paused", kScheduleSetPaused);
  return script;
}

}  // namespace

ScriptCall ScheduleSetPaused(const std::string& id, bool paused, int64_t next_ms) {
  return {&ScheduleSetPausedScript(),
          {keys::Schedule(id), keys::SchedulesDue()},
          {id, paused ? "1" : "0", std::to_string(next_ms)}};
}

namespace {

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

const LuaScript& ScheduleDeleteScript() {
  static const LuaScript script = MakeScript("schedule_delete", kScheduleDelete);
  return script;
}

}  // namespace

ScriptCall ScheduleDelete(const std::string& id) {
  return {
      &ScheduleDeleteScript(), {keys::Schedule(id), keys::Schedules(), keys::SchedulesDue()}, {id}};
}

namespace {

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

const LuaScript& ScheduleAdvanceScript() {
  static const LuaScript script = MakeScript("schedule_advance", kScheduleAdvance);
  return script;
}

}  // namespace

ScriptCall ScheduleAdvance(const std::string& id, int64_t run_ms, int64_t next_ms,
                           const std::string& job_id, const std::string& error) {
  return {&ScheduleAdvanceScript(),
          {keys::Schedule(id), keys::SchedulesDue()},
          {id, std::to_string(run_ms), std::to_string(next_ms), job_id, error}};
}

}  // namespace quire::scripts
