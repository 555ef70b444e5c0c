#include "common/queue/job_queue.h"

#include <nlohmann/json.hpp>
#include <random>

#include "common/queue/lua_scripts.h"
#include "common/queue/redis_keys.h"

namespace quire {
namespace {

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Warnings as stored on a job: a JSON array, or "" for none.
std::string WarningsJson(const std::vector<std::string>& warnings) {
  return warnings.empty() ? std::string() : EncodeStrings(warnings);
}

std::vector<std::string> PendingKeys() {
  return {keys::Pending(Priority::kUrgent), keys::Pending(Priority::kHigh),
          keys::Pending(Priority::kNormal), keys::Pending(Priority::kLow)};
}

LeaseState ToLeaseState(long long v) {
  if (v == 1) return LeaseState::kHeld;
  if (v == 2) return LeaseState::kCancelRequested;
  return LeaseState::kLost;
}

}  // namespace

std::string NewJobId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%013llx%011llx", static_cast<unsigned long long>(WallMillis()),
                static_cast<unsigned long long>(rng() & 0xFFFFFFFFFFFull));
  return buf;
}

JobQueue::JobQueue(RedisPool* pool, QueueOptions options)
    : pool_(pool), options_(std::move(options)) {}

StatusOr<std::vector<SubmitResult>> JobQueue::SubmitBatch(const std::vector<JobSpec>& specs) {
  std::vector<SubmitResult> out;
  out.reserve(specs.size());
  if (specs.empty()) return out;
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> k = PendingKeys();
  k.insert(k.end(), {keys::Sequence(), keys::Signal(), keys::Index(), keys::Stats(),
                     keys::TemplateRefs(), keys::Delayed()});
  constexpr size_t kChunk = 1000;
  for (size_t start = 0; start < specs.size(); start += kChunk) {
    size_t end = std::min(specs.size(), start + kChunk);
    std::vector<std::string> a = {keys::JobPrefix(), keys::Idempotency(""),
                                  std::to_string(options_.idempotency_retention.count())};
    a.reserve(3 + 13 * (end - start));
    for (size_t i = start; i < end; ++i) {
      const JobSpec& spec = specs[i];
      a.push_back(NewJobId());
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
    auto r = (*conn)->Eval(scripts::Submit().text, scripts::Submit().sha1, k, a);
    if (!r.ok()) return r.status();
    if (r->Size() != 2 * (end - start)) return Status::Internal("submit: unexpected reply");
    for (size_t i = 0; i < r->Size(); i += 2) {
      out.push_back({ElementString(r->Element(i)), ElementInteger(r->Element(i + 1)) == 1});
    }
  }
  return out;
}

StatusOr<SubmitResult> JobQueue::Submit(const JobSpec& spec) {
  auto r = SubmitBatch({spec});
  if (!r.ok()) return r.status();
  return r->front();
}

StatusOr<std::vector<LeasedJob>> JobQueue::Lease(const std::string& worker_id, int max_jobs) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> k = PendingKeys();
  k.insert(k.end(), {keys::Active(), keys::Fence(), keys::Signal(), keys::Stats(),
                     keys::TemplateRefs(), keys::Scheduled(), keys::Delayed()});
  std::vector<std::string> a = {std::to_string(max_jobs),
                                std::to_string(options_.lease_duration.count()),
                                worker_id,
                                keys::JobPrefix(),
                                keys::EventChannelPrefix(),
                                std::to_string(options_.reclaim_batch),
                                std::to_string(options_.retention.count()),
                                std::to_string(options_.aging.count()),
                                std::to_string(options_.max_lost_leases)};
  auto r = (*conn)->Eval(scripts::Lease().text, scripts::Lease().sha1, k, a);
  if (!r.ok()) return r.status();
  std::vector<LeasedJob> jobs;
  jobs.reserve(r->Size());
  for (size_t i = 0; i < r->Size(); ++i) {
    const redisReply* e = r->Element(i);
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 4) continue;
    const redisReply* f = e->element[3];
    if (f->type != REDIS_REPLY_ARRAY || f->elements != 13) continue;
    LeasedJob job;
    job.id = ElementString(e->element[0]);
    job.token = ElementInteger(e->element[1]);
    job.attempt = static_cast<int>(ElementInteger(e->element[2]));
    job.spec.template_id = ElementString(f->element[0]);
    job.spec.template_version = ElementInteger(f->element[1]);
    job.spec.priority = static_cast<Priority>(ElementInteger(f->element[2]));
    const std::string params = ElementString(f->element[3]);
    job.spec.params = DecodeParams(params);
    if (!params.empty() && !nlohmann::json::accept(params)) {
      job.corrupt = "its parameters are not valid JSON";
    }
    if (job.spec.priority < Priority::kLow || job.spec.priority > Priority::kUrgent) {
      job.corrupt = "its priority is not 1..4";
    }
    job.spec.outputs = SplitList(ElementString(f->element[4]));
    job.spec.inline_template = ElementString(f->element[5]);
    job.spec.submitter = ElementString(f->element[6]);
    job.created_ms = ElementInteger(f->element[7]);
    job.spec.idempotency_key = ElementString(f->element[8]);
    job.spec.fresh_data = ElementString(f->element[9]) == "1";
    job.spec.max_attempts = static_cast<int>(ElementInteger(f->element[10]));
    job.failed_attempts = static_cast<int>(ElementInteger(f->element[11]));
    job.spec.deadline_ms = ElementInteger(f->element[12]);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Status JobQueue::WaitForWork(RedisConnection& conn, std::chrono::milliseconds timeout) {
  double seconds = std::max<double>(0.01, timeout.count() / 1000.0);
  conn.SetTimeout(timeout + std::chrono::milliseconds(2000));
  auto r = conn.Command({"BLPOP", keys::Signal(), std::to_string(seconds)});
  conn.SetTimeout(pool_->options().timeout);
  return r.ok() ? Status::OK() : r.status();
}

StatusOr<std::vector<LeaseState>> JobQueue::Extend(const std::vector<const LeasedJob*>& jobs) {
  std::vector<LeaseState> out;
  if (jobs.empty()) return out;
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> a = {std::to_string(options_.lease_duration.count()), keys::JobPrefix()};
  for (const auto* j : jobs) {
    a.push_back(j->id);
    a.push_back(std::to_string(j->token));
  }
  auto r = (*conn)->Eval(scripts::Extend().text, scripts::Extend().sha1, {keys::Active()}, a);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < r->Size(); ++i) out.push_back(ToLeaseState(ElementInteger(r->Element(i))));
  if (out.size() != jobs.size()) return Status::Internal("extend: unexpected reply");
  return out;
}

StatusOr<LeaseState> JobQueue::Progress(const LeasedJob& job, Stage stage, int percent) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Eval(scripts::Progress().text, scripts::Progress().sha1, {keys::Job(job.id)},
                         {std::to_string(job.token), StageName(stage), std::to_string(percent),
                          job.id, keys::EventChannelPrefix(), keys::StageLatencyPrefix()});
  if (!r.ok()) return r.status();
  return ToLeaseState(r->Integer());
}

StatusOr<std::vector<LeaseState>> JobQueue::FinishMany(const std::vector<FinishRequest>& reqs) {
  std::vector<LeaseState> out;
  if (reqs.empty()) return out;
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> a = {std::to_string(options_.retention.count()),
                                keys::EventChannelPrefix(), keys::StageLatencyPrefix(),
                                keys::JobPrefix()};
  a.reserve(4 + 7 * reqs.size());
  for (const auto& r : reqs) {
    a.push_back(r.job->id);
    a.push_back(std::to_string(r.job->token));
    a.push_back(JobStateName(r.state));
    a.push_back(r.code);
    a.push_back(r.message);
    a.push_back(r.artifacts);
    a.push_back(r.warnings);
  }
  auto r = (*conn)->Eval(scripts::Finish().text, scripts::Finish().sha1,
                         {keys::Active(), keys::Stats(), keys::TemplateRefs()}, a);
  if (!r.ok()) return r.status();
  if (r->Size() != reqs.size()) return Status::Internal("finish: unexpected reply");
  for (size_t i = 0; i < r->Size(); ++i) out.push_back(ToLeaseState(ElementInteger(r->Element(i))));
  return out;
}

StatusOr<LeaseState> JobQueue::Finish(FinishRequest req) {
  auto r = FinishMany({std::move(req)});
  if (!r.ok()) return r.status();
  return r->front();
}

StatusOr<LeaseState> JobQueue::Complete(const LeasedJob& job,
                                        const std::vector<ArtifactInfo>& artifacts,
                                        const std::vector<std::string>& warnings) {
  return Finish(
      {&job, JobState::kCompleted, "", "", EncodeArtifacts(artifacts), WarningsJson(warnings)});
}

StatusOr<std::vector<LeaseState>> JobQueue::CompleteBatch(
    const std::vector<const LeasedJob*>& jobs) {
  std::vector<FinishRequest> reqs;
  reqs.reserve(jobs.size());
  for (const auto* j : jobs) reqs.push_back({j, JobState::kCompleted, "", "", "[]", ""});
  return FinishMany(reqs);
}

StatusOr<LeaseState> JobQueue::Fail(const LeasedJob& job, const Status& error,
                                    const std::vector<std::string>& warnings) {
  return Finish({&job, JobState::kFailed, StatusCodeName(error.code()), error.message(), "",
                 WarningsJson(warnings)});
}

StatusOr<LeaseState> JobQueue::AckCancel(const LeasedJob& job) {
  return Finish({&job, JobState::kCancelled, "CANCELLED", "cancelled by request", "", ""});
}

StatusOr<CancelOutcome> JobQueue::Cancel(const std::string& job_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> k = {keys::Job(job_id)};
  for (auto& p : PendingKeys()) k.push_back(std::move(p));
  k.push_back(keys::Stats());
  k.push_back(keys::TemplateRefs());
  k.push_back(keys::Scheduled());
  k.push_back(keys::Delayed());
  auto r = (*conn)->Eval(
      scripts::Cancel().text, scripts::Cancel().sha1, k,
      {job_id, std::to_string(options_.retention.count()), keys::EventChannelPrefix()});
  if (!r.ok()) return r.status();
  std::string s = r->String();
  if (s == "NOT_FOUND") return Status::NotFound("job '" + job_id + "' does not exist");
  return CancelOutcome{JobStateFromName(s)};
}

StatusOr<LeaseState> JobQueue::Retry(const LeasedJob& job, const Status& error,
                                     std::chrono::milliseconds delay,
                                     const std::vector<std::string>& warnings) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Eval(
      scripts::Retry().text, scripts::Retry().sha1,
      {keys::Active(), keys::Scheduled(), keys::Stats()},
      {keys::JobPrefix(), keys::EventChannelPrefix(), keys::StageLatencyPrefix(), job.id,
       std::to_string(job.token), StatusCodeName(error.code()), error.message(),
       std::to_string(std::max<int64_t>(0, delay.count())), WarningsJson(warnings)});
  if (!r.ok()) return r.status();
  return r->Integer() == 1 ? LeaseState::kHeld : LeaseState::kLost;
}

StatusOr<LeaseState> JobQueue::Release(const LeasedJob& job) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> k = {keys::Active()};
  for (auto& p : PendingKeys()) k.push_back(std::move(p));
  k.push_back(keys::Signal());
  auto r = (*conn)->Eval(
      scripts::Release().text, scripts::Release().sha1, k,
      {keys::JobPrefix(), keys::EventChannelPrefix(), job.id, std::to_string(job.token)});
  if (!r.ok()) return r.status();
  return r->Integer() == 1 ? LeaseState::kHeld : LeaseState::kLost;
}

Status JobQueue::Requeue(const std::string& job_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto fields = (*conn)->Command({"HGET", keys::Job(job_id), "tpl"});
  if (!fields.ok()) return fields.status();
  std::vector<std::string> k = {keys::Job(job_id)};
  for (auto& p : PendingKeys()) k.push_back(std::move(p));
  k.insert(k.end(), {keys::Sequence(), keys::Signal(), keys::Stats(), keys::TemplateRefs(),
                     keys::Template(fields->String())});
  auto r = (*conn)->Eval(scripts::Requeue().text, scripts::Requeue().sha1, k,
                         {job_id, keys::EventChannelPrefix()});
  if (!r.ok()) return r.status();
  const std::string outcome = r->String();
  if (outcome == "QUEUED") return Status::OK();
  if (outcome == "NOT_FOUND") return Status::NotFound("job '" + job_id + "' does not exist");
  if (outcome == "NO_TEMPLATE") {
    return Status::FailedPrecondition("job '" + job_id + "' is pinned to template '" +
                                      fields->String() +
                                      "' at a version that was deleted; submit it again");
  }
  if (outcome == "BAD_RECORD") {
    return Status::FailedPrecondition("job '" + job_id + "' has an unreadable record");
  }
  return Status::FailedPrecondition("job '" + job_id + "' is " + outcome +
                                    "; only FAILED jobs can be requeued");
}

StatusOr<int64_t> JobQueue::TrimIndex(int max_ids) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  int64_t cutoff = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch() - options_.retention)
                       .count();
  auto r = (*conn)->Eval(scripts::TrimIndex().text, scripts::TrimIndex().sha1, {keys::Index()},
                         {std::to_string(cutoff), std::to_string(max_ids), keys::JobPrefix()});
  if (!r.ok()) return r.status();
  return static_cast<int64_t>(r->Integer());
}

Status JobQueue::Heartbeat(const std::string& worker_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Eval(scripts::Heartbeat().text, scripts::Heartbeat().sha1, {keys::Workers()},
                         {worker_id});
  return r.ok() ? Status::OK() : r.status();
}

}  // namespace quire
