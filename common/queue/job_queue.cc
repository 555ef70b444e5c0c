#include "common/queue/job_queue.h"

#include <random>

#include "common/queue/job_codec.h"
#include "common/queue/job_scripts.h"
#include "common/queue/lease_script.h"
#include "common/queue/redis_keys.h"

namespace quire {
namespace {

// Warnings as stored on a job: a JSON array, or "" for none.
std::string WarningsJson(const std::vector<std::string>& warnings) {
  return warnings.empty() ? std::string() : EncodeStrings(warnings);
}

}  // namespace

std::string NewJobId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%013llx%011llx",
                static_cast<unsigned long long>(SystemClock().NowMillis()),
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
  constexpr size_t kChunk = 1000;
  std::vector<std::string> ids;
  for (size_t start = 0; start < specs.size(); start += kChunk) {
    const size_t count = std::min(specs.size(), start + kChunk) - start;
    ids.clear();
    for (size_t i = 0; i < count; ++i) ids.push_back(NewJobId());
    auto r = RunScript(**conn,
                       scripts::Submit(std::span(specs).subspan(start, count), ids,
                                       options_.idempotency_retention),
                       options_.clock);
    if (!r.ok()) return r.status();
    auto chunk = scripts::ParseSubmit(*r, count);
    if (!chunk.ok()) return chunk.status();
    out.insert(out.end(), chunk->begin(), chunk->end());
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
  auto r = RunScript(**conn, scripts::Lease({worker_id, max_jobs, &options_}), options_.clock);
  if (!r.ok()) return r.status();
  return scripts::ParseLease(*r);
}

Status JobQueue::WaitForWork(RedisConnection& conn, std::chrono::milliseconds timeout) {
  double seconds = std::max<double>(0.01, timeout.count() / 1000.0);
  conn.SetTimeout(timeout + std::chrono::milliseconds(2000));
  auto r = conn.Command({"BLPOP", keys::Signal(), std::to_string(seconds)});
  conn.SetTimeout(pool_->options().timeout);
  return r.ok() ? Status::OK() : r.status();
}

StatusOr<std::vector<LeaseState>> JobQueue::Extend(const std::vector<const LeasedJob*>& jobs) {
  if (jobs.empty()) return std::vector<LeaseState>{};
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::Extend(jobs, options_.lease_duration), options_.clock);
  if (!r.ok()) return r.status();
  return scripts::ParseLeaseStates(*r, jobs.size(), "extend");
}

StatusOr<LeaseState> JobQueue::Progress(const LeasedJob& job, Stage stage, int percent) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::Progress(job, stage, percent), options_.clock);
  if (!r.ok()) return r.status();
  return scripts::LeaseStateFromReply(r->Integer());
}

StatusOr<std::vector<LeaseState>> JobQueue::FinishMany(
    const std::vector<scripts::FinishRequest>& reqs) {
  if (reqs.empty()) return std::vector<LeaseState>{};
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::Finish(reqs, options_.retention), options_.clock);
  if (!r.ok()) return r.status();
  return scripts::ParseLeaseStates(*r, reqs.size(), "finish");
}

StatusOr<LeaseState> JobQueue::Finish(scripts::FinishRequest req) {
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
  std::vector<scripts::FinishRequest> reqs;
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
  auto r = RunScript(**conn, scripts::Cancel(job_id, options_.retention), options_.clock);
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
  auto r =
      RunScript(**conn, scripts::Retry(job, error, delay, WarningsJson(warnings)), options_.clock);
  if (!r.ok()) return r.status();
  return r->Integer() == 1 ? LeaseState::kHeld : LeaseState::kLost;
}

StatusOr<LeaseState> JobQueue::Release(const LeasedJob& job) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::Release(job), options_.clock);
  if (!r.ok()) return r.status();
  return r->Integer() == 1 ? LeaseState::kHeld : LeaseState::kLost;
}

Status JobQueue::Requeue(const std::string& job_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto fields = (*conn)->Command({"HGET", keys::Job(job_id), job_field::kTemplate});
  if (!fields.ok()) return fields.status();
  auto r = RunScript(**conn, scripts::Requeue(job_id, fields->String()), options_.clock);
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
  const Clock& clock = options_.clock != nullptr ? *options_.clock : SystemClock();
  const int64_t cutoff =
      clock.NowMillis() -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
  auto r = RunScript(**conn, scripts::TrimIndex(cutoff, max_ids), options_.clock);
  if (!r.ok()) return r.status();
  return static_cast<int64_t>(r->Integer());
}

Status JobQueue::Heartbeat(const std::string& worker_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = RunScript(**conn, scripts::Heartbeat(worker_id), options_.clock);
  return r.ok() ? Status::OK() : r.status();
}

}  // namespace quire
