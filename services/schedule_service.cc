// ScheduleService rpcs and the scheduler loop.
#include "services/schedule_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/schedule/cron.h"
#include "services/job_service.h"
#include "services/proto_convert.h"

namespace quire {
namespace {

Status CheckId(const std::string& id) {
  const bool ok = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
  if (ok) return Status::OK();
  return Status::InvalidArgument("schedule_id '" + id +
                                 "' must be 1-64 letters, digits, '_', '-' or '.'");
}

void ToProto(const ScheduleRecord& r, v1::Schedule* out) {
  out->set_schedule_id(r.id);
  out->set_cron(r.cron);
  out->set_time_zone(r.time_zone);
  out->mutable_job()->ParseFromString(r.job);
  out->set_paused(r.paused);
  if (r.next_ms >= 0 && !r.paused) SetTimestamp(r.next_ms, out->mutable_next_run_at());
  if (r.last_ms > 0) SetTimestamp(r.last_ms, out->mutable_last_run_at());
  out->set_last_job_id(r.last_job_id);
  out->set_runs(r.runs);
  if (r.created_ms > 0) SetTimestamp(r.created_ms, out->mutable_created_at());
  out->set_last_error(r.last_error);
}

// Reads a schedule back into `out`.
Status Reply(ScheduleStore* store, const std::string& id, v1::Schedule* out) {
  auto rec = store->Get(id);
  if (!rec.ok()) return rec.status();
  ToProto(*rec, out);
  return Status::OK();
}

// CreateSchedule on a store thread: checks the schedule and its job as the
// first run would submit it, stores it, and reads it back into `out`.
Status CreateOne(ScheduleStore* store, TemplateStore* templates, const v1::Schedule& s,
                 v1::Schedule* out) {
  if (Status st = CheckId(s.schedule_id()); !st.ok()) return st;
  auto cron = CronSchedule::Parse(s.cron(), s.time_zone());
  if (!cron.ok()) return cron.status();
  const v1::SubmitJobRequest& job = s.job();
  if (job.has_run_at() || job.has_deadline() || !job.idempotency_key().empty()) {
    return Status::InvalidArgument(
        "a schedule's job cannot set run_at, deadline or idempotency_key: the "
        "schedule decides when each run starts and keys each run itself");
  }
  // The job as the first run would submit it: an unknown template or bad
  // parameters are refused now, not at 06:00 on the 1st.
  v1::SubmitJobResponse checked;
  auto spec = PrepareJob(templates, job, &checked);
  if (!spec.ok()) return spec.status();
  auto now = store->Now();
  if (!now.ok()) return now.status();
  ScheduleRecord rec;
  rec.id = s.schedule_id();
  rec.cron = cron->expression();
  rec.time_zone = cron->time_zone();
  rec.job = job.SerializeAsString();
  rec.paused = s.paused();
  rec.next_ms = cron->Next(*now);
  if (rec.next_ms < 0) {
    return Status::InvalidArgument("cron '" + rec.cron + "' has no run within the next five years");
  }
  if (Status st = store->Create(rec); !st.ok()) return st;
  spdlog::info("schedule {} created: '{}' in {}, template '{}'", rec.id, rec.cron, rec.time_zone,
               job.template_id().empty() ? std::string("(inline)") : job.template_id());
  return Reply(store, rec.id, out);
}

// ResumeSchedule on a store thread: the next run is the first after now.
Status ResumeOne(ScheduleStore* store, const std::string& id, v1::Schedule* out) {
  auto rec = store->Get(id);
  if (!rec.ok()) return rec.status();
  auto cron = CronSchedule::Parse(rec->cron, rec->time_zone);
  if (!cron.ok()) return cron.status();
  auto now = store->Now();
  if (!now.ok()) return now.status();
  if (Status st = store->Resume(rec->id, cron->Next(*now)); !st.ok()) return st;
  return Reply(store, rec->id, out);
}

}  // namespace

grpc::ServerUnaryReactor* ScheduleServiceImpl::CreateSchedule(grpc::CallbackServerContext* ctx,
                                                              const v1::CreateScheduleRequest* req,
                                                              v1::Schedule* resp) {
  return store_calls_->Answer(ctx, [this, req, resp] {
    return ToGrpc(CreateOne(store_, templates_, req->schedule(), resp));
  });
}

grpc::ServerUnaryReactor* ScheduleServiceImpl::GetSchedule(grpc::CallbackServerContext* ctx,
                                                           const v1::GetScheduleRequest* req,
                                                           v1::Schedule* resp) {
  return store_calls_->Answer(
      ctx, [this, req, resp] { return ToGrpc(Reply(store_, req->schedule_id(), resp)); });
}

grpc::ServerUnaryReactor* ScheduleServiceImpl::ListSchedules(grpc::CallbackServerContext* ctx,
                                                             const v1::ListSchedulesRequest*,
                                                             v1::ListSchedulesResponse* resp) {
  return store_calls_->Answer(ctx, [this, resp] {
    auto all = store_->List();
    if (!all.ok()) return ToGrpc(all.status());
    for (const auto& rec : *all) ToProto(rec, resp->add_schedules());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* ScheduleServiceImpl::PauseSchedule(grpc::CallbackServerContext* ctx,
                                                             const v1::PauseScheduleRequest* req,
                                                             v1::Schedule* resp) {
  return store_calls_->Answer(ctx, [this, req, resp] {
    if (Status st = store_->Pause(req->schedule_id()); !st.ok()) return ToGrpc(st);
    return ToGrpc(Reply(store_, req->schedule_id(), resp));
  });
}

grpc::ServerUnaryReactor* ScheduleServiceImpl::ResumeSchedule(grpc::CallbackServerContext* ctx,
                                                              const v1::ResumeScheduleRequest* req,
                                                              v1::Schedule* resp) {
  return store_calls_->Answer(
      ctx, [this, req, resp] { return ToGrpc(ResumeOne(store_, req->schedule_id(), resp)); });
}

grpc::ServerUnaryReactor* ScheduleServiceImpl::DeleteSchedule(grpc::CallbackServerContext* ctx,
                                                              const v1::DeleteScheduleRequest* req,
                                                              v1::DeleteScheduleResponse*) {
  return store_calls_->Answer(ctx, [this, req] {
    Status st = store_->Delete(req->schedule_id());
    if (st.ok()) spdlog::info("schedule {} deleted", req->schedule_id());
    return ToGrpc(st);
  });
}

Scheduler::Scheduler(ScheduleStore* store, TemplateStore* templates, JobQueue* queue,
                     SchedulerOptions options)
    : store_(store), templates_(templates), queue_(queue), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  loop_.Start([this] {
    std::string last_error;
    while (!loop_.stopping()) {
      auto n = RunDue();
      if (!n.ok() && n.status().message() != last_error) {
        spdlog::warn("scheduler: {}; trying again", n.status().message());
      }
      last_error = n.ok() ? std::string() : n.status().message();
      loop_.SleepFor(options_.tick);
    }
  });
}

void Scheduler::Stop() { loop_.Stop(); }

StatusOr<int> Scheduler::RunDue() {
  auto now = store_->Now();
  if (!now.ok()) return now.status();
  auto due = store_->Due(*now, options_.batch);
  if (!due.ok()) return due.status();
  int submitted = 0;
  for (const auto& id : *due) {
    auto advanced = RunOne(id, *now);
    if (!advanced.ok()) return advanced.status();
    if (*advanced) ++submitted;
  }
  return submitted;
}

StatusOr<bool> Scheduler::RunOne(const std::string& id, int64_t now_ms) {
  auto rec = store_->Get(id);
  if (!rec.ok()) {
    return rec.status().code() == StatusCode::kNotFound ? StatusOr<bool>(false) : rec.status();
  }
  const int64_t run = rec->next_ms;
  if (rec->paused || run < 0 || run > now_ms) return false;  // another scheduler was first
  auto cron = CronSchedule::Parse(rec->cron, rec->time_zone);
  if (!cron.ok()) {
    // Stored by an older gateway, or its zone left tzdata: stop it, say why.
    return store_->Advance(id, run, -1, "", cron.status().message());
  }
  // Runs missed while no gateway ran (or Redis was away) collapse into
  // this one; the next is the first after now.
  const int64_t next = cron->Next(std::max(now_ms, run));
  v1::SubmitJobRequest job;
  if (!job.ParseFromString(rec->job)) {
    return store_->Advance(id, run, next, "", "the schedule's stored job is unreadable");
  }
  job.set_idempotency_key(ScheduleRunKey(id, run));
  if (job.submitter().empty()) job.set_submitter("schedule:" + id);
  v1::SubmitJobResponse ignored;
  auto spec = PrepareJob(templates_, job, &ignored);
  if (!spec.ok()) {
    if (spec.status().code() == StatusCode::kUnavailable) return spec.status();
    spdlog::warn("schedule {}: the run at {} ms was not submitted: {}", id, run,
                 spec.status().message());
    return store_->Advance(id, run, next, "", spec.status().ToString());
  }
  auto submitted = queue_->Submit(*spec);
  if (!submitted.ok()) return submitted.status();
  auto advanced = store_->Advance(id, run, next, submitted->job_id, "");
  if (advanced.ok() && *advanced) {
    spdlog::info("schedule {}: run at {} ms submitted as job {}", id, run, submitted->job_id);
  }
  return advanced;
}

}  // namespace quire
