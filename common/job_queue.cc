#include "common/job_queue.h"

#include <random>

#include "common/lua_scripts.h"
#include "common/redis_keys.h"

namespace quire {
namespace {

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> PendingKeys() {
  return {keys::Pending(Priority::kUrgent), keys::Pending(Priority::kHigh),
          keys::Pending(Priority::kNormal), keys::Pending(Priority::kLow)};
}

std::vector<std::string> EvalArgv(const LuaScript& script, const std::vector<std::string>& k,
                                  const std::vector<std::string>& a) {
  std::vector<std::string> argv;
  argv.reserve(3 + k.size() + a.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1);
  argv.push_back(std::to_string(k.size()));
  argv.insert(argv.end(), k.begin(), k.end());
  argv.insert(argv.end(), a.begin(), a.end());
  return argv;
}

// Makes sure Redis knows the script, so pipelined EVALSHAs cannot NOSCRIPT.
Status LoadScript(RedisConnection& conn, const LuaScript& script) {
  auto r = conn.Command({"SCRIPT", "LOAD", script.text});
  return r.ok() ? Status::OK() : r.status();
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

std::vector<std::string> JobQueue::SubmitArgs(const JobSpec& spec, const std::string& id,
                                              std::vector<std::string>* k) const {
  *k = {keys::Job(id),   keys::Pending(spec.priority), keys::Sequence(), keys::Signal(),
        keys::Index(),   keys::Stats(),
        keys::Idempotency(spec.idempotency_key)};
  return {id,
          spec.template_id,
          std::to_string(spec.template_version),
          std::to_string(static_cast<int>(spec.priority)),
          EncodeParams(spec.params),
          JoinList(spec.outputs),
          spec.submitter,
          spec.inline_template,
          spec.idempotency_key,
          std::to_string(options_.idempotency_retention.count())};
}

StatusOr<SubmitResult> JobQueue::Submit(const JobSpec& spec) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> k;
  std::string id = NewJobId();
  auto a = SubmitArgs(spec, id, &k);
  auto r = (*conn)->Eval(scripts::Submit().text, scripts::Submit().sha1, k, a);
  if (!r.ok()) return r.status();
  if (r->Size() != 2) return Status::Internal("submit: unexpected reply");
  return SubmitResult{ElementString(r->Element(0)), ElementInteger(r->Element(1)) == 1};
}

StatusOr<std::vector<SubmitResult>> JobQueue::SubmitBatch(const std::vector<JobSpec>& specs) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  QUIRE_RETURN_IF_ERROR(LoadScript(**conn, scripts::Submit()));
  for (const auto& spec : specs) {
    std::vector<std::string> k;
    auto a = SubmitArgs(spec, NewJobId(), &k);
    (*conn)->Append(EvalArgv(scripts::Submit(), k, a));
  }
  auto replies = (*conn)->Flush();
  if (!replies.ok()) return replies.status();
  std::vector<SubmitResult> out;
  out.reserve(specs.size());
  for (const auto& r : *replies) {
    if (r.IsError() || r.Size() != 2) {
      return Status::Internal("submit: " + (r.IsError() ? r.String() : "unexpected reply"));
    }
    out.push_back({ElementString(r.Element(0)), ElementInteger(r.Element(1)) == 1});
  }
  return out;
}

StatusOr<std::vector<LeasedJob>> JobQueue::Lease(const std::string& worker_id, int max_jobs) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> k = PendingKeys();
  k.insert(k.end(), {keys::Active(), keys::Fence(), keys::Signal(), keys::Stats()});
  std::vector<std::string> a = {std::to_string(max_jobs),
                                std::to_string(options_.lease_duration.count()),
                                worker_id,
                                keys::JobPrefix(),
                                keys::EventChannelPrefix(),
                                std::to_string(options_.reclaim_batch),
                                std::to_string(options_.retention.count())};
  auto r = (*conn)->Eval(scripts::Lease().text, scripts::Lease().sha1, k, a);
  if (!r.ok()) return r.status();
  std::vector<LeasedJob> jobs;
  jobs.reserve(r->Size());
  for (size_t i = 0; i < r->Size(); ++i) {
    const redisReply* e = r->Element(i);
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 4) continue;
    const redisReply* f = e->element[3];
    if (f->type != REDIS_REPLY_ARRAY || f->elements != 9) continue;
    LeasedJob job;
    job.id = ElementString(e->element[0]);
    job.token = ElementInteger(e->element[1]);
    job.attempt = static_cast<int>(ElementInteger(e->element[2]));
    job.spec.template_id = ElementString(f->element[0]);
    job.spec.template_version = ElementInteger(f->element[1]);
    job.spec.priority = static_cast<Priority>(ElementInteger(f->element[2]));
    job.spec.params = DecodeParams(ElementString(f->element[3]));
    job.spec.outputs = SplitList(ElementString(f->element[4]));
    job.spec.inline_template = ElementString(f->element[5]);
    job.spec.submitter = ElementString(f->element[6]);
    job.created_ms = ElementInteger(f->element[7]);
    job.spec.idempotency_key = ElementString(f->element[8]);
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
  std::vector<std::string> a = {std::to_string(options_.lease_duration.count()),
                                keys::JobPrefix()};
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
                          job.id, keys::EventChannelPrefix(),
                          keys::StageLatencyPrefix()});
  if (!r.ok()) return r.status();
  return ToLeaseState(r->Integer());
}

std::vector<std::string> JobQueue::FinishArgs(const LeasedJob& job, JobState state,
                                              const std::string& code, const std::string& message,
                                              const std::string& artifacts) const {
  return {std::to_string(job.token),
          JobStateName(state),
          code,
          message,
          artifacts,
          std::to_string(options_.retention.count()),
          job.id,
          keys::EventChannelPrefix(),
          keys::StageLatencyPrefix()};
}

StatusOr<LeaseState> JobQueue::Finish(const LeasedJob& job, JobState state,
                                      const std::string& code, const std::string& message,
                                      const std::string& artifacts) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Eval(scripts::Finish().text, scripts::Finish().sha1,
                         {keys::Job(job.id), keys::Active(), keys::Stats()},
                         FinishArgs(job, state, code, message, artifacts));
  if (!r.ok()) return r.status();
  return ToLeaseState(r->Integer());
}

StatusOr<LeaseState> JobQueue::Complete(const LeasedJob& job,
                                        const std::vector<ArtifactInfo>& artifacts) {
  return Finish(job, JobState::kCompleted, "", "", EncodeArtifacts(artifacts));
}

StatusOr<std::vector<LeaseState>> JobQueue::CompleteBatch(
    const std::vector<const LeasedJob*>& jobs) {
  std::vector<LeaseState> out;
  if (jobs.empty()) return out;
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  QUIRE_RETURN_IF_ERROR(LoadScript(**conn, scripts::Finish()));
  for (const auto* j : jobs) {
    (*conn)->Append(EvalArgv(scripts::Finish(), {keys::Job(j->id), keys::Active(), keys::Stats()},
                             FinishArgs(*j, JobState::kCompleted, "", "", "[]")));
  }
  auto replies = (*conn)->Flush();
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.IsError()) return Status::Internal("complete: " + r.String());
    out.push_back(ToLeaseState(r.Integer()));
  }
  return out;
}

StatusOr<LeaseState> JobQueue::Fail(const LeasedJob& job, const Status& error) {
  return Finish(job, JobState::kFailed, StatusCodeName(error.code()), error.message(), "");
}

StatusOr<LeaseState> JobQueue::AckCancel(const LeasedJob& job) {
  return Finish(job, JobState::kCancelled, "CANCELLED", "cancelled by request", "");
}

StatusOr<CancelOutcome> JobQueue::Cancel(const std::string& job_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  std::vector<std::string> k = {keys::Job(job_id)};
  for (auto& p : PendingKeys()) k.push_back(std::move(p));
  k.push_back(keys::Stats());
  auto r = (*conn)->Eval(scripts::Cancel().text, scripts::Cancel().sha1, k,
                         {job_id, std::to_string(options_.retention.count()),
                          keys::EventChannelPrefix()});
  if (!r.ok()) return r.status();
  std::string s = r->String();
  if (s == "NOT_FOUND") return Status::NotFound("job '" + job_id + "' does not exist");
  return CancelOutcome{JobStateFromName(s)};
}

Status JobQueue::Heartbeat(const std::string& worker_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Eval(scripts::Heartbeat().text, scripts::Heartbeat().sha1, {keys::Workers()},
                         {worker_id});
  return r.ok() ? Status::OK() : r.status();
}

}  // namespace quire
