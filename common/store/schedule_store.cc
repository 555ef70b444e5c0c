// ScheduleStore: schedules in Redis.
#include "common/store/schedule_store.h"

#include <algorithm>

#include "common/queue/redis_keys.h"
#include "common/store/internal/store_scripts.h"

namespace quire {
namespace {

ScheduleRecord FromFields(const std::string& id, const std::map<std::string, std::string>& f) {
  ScheduleRecord r;
  r.id = id;
  r.cron = FieldText(f, "cron");
  r.time_zone = FieldText(f, "tz");
  r.job = FieldText(f, "job");
  r.paused = FieldText(f, "paused") == "1";
  r.next_ms = FieldInt(f, "next", -1);
  r.last_ms = FieldInt(f, "last", 0);
  r.last_job_id = FieldText(f, "last_job");
  r.last_error = FieldText(f, "err");
  r.runs = FieldInt(f, "runs", 0);
  r.created_ms = FieldInt(f, "created", 0);
  return r;
}

Status Unknown(const std::string& id) {
  return Status::NotFound("schedule '" + id + "' does not exist");
}

}  // namespace

std::string ScheduleRunKey(const std::string& id, int64_t run_ms) {
  return "schedule:" + id + ":" + std::to_string(run_ms);
}

StatusOr<int64_t> ScheduleStore::Now() {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command({"TIME"});
  if (!r.ok()) return r.status();
  if (r->Size() != 2) return Status::Internal("redis TIME gave an unexpected reply");
  return ElementInteger(r->Element(0)) * 1000 + ElementInteger(r->Element(1)) / 1000;
}

Status ScheduleStore::Create(const ScheduleRecord& rec) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::ScheduleCreate(rec));
  if (!r.ok()) return r.status();
  if (r->Integer() == 0) {
    return Status::AlreadyExists("schedule '" + rec.id +
                                 "' already exists; delete it first or pick another id");
  }
  return Status::OK();
}

StatusOr<ScheduleRecord> ScheduleStore::Get(const std::string& id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command({"HGETALL", keys::Schedule(id)});
  if (!r.ok()) return r.status();
  if (r->Size() == 0) return Unknown(id);
  return FromFields(id, FieldMap(r->get()));
}

StatusOr<std::vector<ScheduleRecord>> ScheduleStore::List() {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto ids = (*conn)->Command({"ZRANGE", keys::Schedules(), "0", "-1"});
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  for (size_t i = 0; i < ids->Size(); ++i) names.push_back(ElementString(ids->Element(i)));
  std::sort(names.begin(), names.end());
  for (const auto& id : names) (*conn)->Append({"HGETALL", keys::Schedule(id)});
  auto replies = (*conn)->Flush();
  if (!replies.ok()) return replies.status();
  std::vector<ScheduleRecord> out;
  for (size_t i = 0; i < names.size(); ++i) {
    if ((*replies)[i].Size() == 0) continue;  // deleted meanwhile
    out.push_back(FromFields(names[i], FieldMap((*replies)[i].get())));
  }
  return out;
}

Status ScheduleStore::Pause(const std::string& id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::ScheduleSetPaused(id, /*paused=*/true, -1));
  if (!r.ok()) return r.status();
  return r->Integer() == 1 ? Status::OK() : Unknown(id);
}

Status ScheduleStore::Resume(const std::string& id, int64_t next_ms) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::ScheduleSetPaused(id, /*paused=*/false, next_ms));
  if (!r.ok()) return r.status();
  return r->Integer() == 1 ? Status::OK() : Unknown(id);
}

Status ScheduleStore::Delete(const std::string& id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::ScheduleDelete(id));
  if (!r.ok()) return r.status();
  return r->Integer() == 1 ? Status::OK() : Unknown(id);
}

StatusOr<std::vector<std::string>> ScheduleStore::Due(int64_t now_ms, int max) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command({"ZRANGEBYSCORE", keys::SchedulesDue(), "-inf", std::to_string(now_ms),
                             "LIMIT", "0", std::to_string(max)});
  if (!r.ok()) return r.status();
  std::vector<std::string> ids;
  for (size_t i = 0; i < r->Size(); ++i) ids.push_back(ElementString(r->Element(i)));
  return ids;
}

StatusOr<bool> ScheduleStore::Advance(const std::string& id, int64_t expected_ms, int64_t next_ms,
                                      const std::string& job_id, const std::string& error) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::ScheduleAdvance(id, expected_ms, next_ms, job_id, error));
  if (!r.ok()) return r.status();
  return r->Integer() == 1;
}

}  // namespace quire
