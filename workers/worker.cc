#include "workers/worker.h"

#include <spdlog/spdlog.h>

#include <random>

#include "common/base/logging.h"
#include "common/queue/queue_inspector.h"
#include "report/data/source.h"
#include "report/pipeline/pipeline.h"

namespace quire {
namespace {

// Reports progress to the queue; turns a lost lease into ABORTED and a
// cancel request into CANCELLED. A progress write that fails (Redis briefly
// unreachable) does not fail the job: progress is advisory, and the keeper's
// lease extensions decide whether the job is still ours.
class QueueProgressSink final : public ProgressSink {
 public:
  QueueProgressSink(JobQueue* queue, const LeasedJob& job, std::atomic<int>* lease,
                    const std::atomic<bool>* released)
      : queue_(queue), job_(job), lease_(lease), released_(released) {}

  Status Report(Stage stage, int percent) override {
    if (Status s = Check(); !s.ok()) return s;
    auto r = queue_->Progress(job_, stage, percent);
    if (!r.ok()) {
      spdlog::warn("progress not recorded ({}); going on", r.status().ToString());
      return Check();
    }
    lease_->store(static_cast<int>(*r));
    return Check();
  }
  bool StopRequested() const override {
    return released_->load() || lease_->load() != static_cast<int>(LeaseState::kHeld);
  }

 private:
  Status Check() const {
    if (released_->load()) return Status::Aborted("the worker is shutting down");
    auto l = static_cast<LeaseState>(lease_->load());
    if (l == LeaseState::kLost) return Status::Aborted("lease lost");
    if (l == LeaseState::kCancelRequested) return Status::Cancelled("cancel requested");
    return Status::OK();
  }

  JobQueue* const queue_;
  const LeasedJob& job_;
  std::atomic<int>* const lease_;
  const std::atomic<bool>* const released_;
};

// False when a retry after `delay` would start past `deadline`.
bool RetryFitsDeadline(const std::optional<std::chrono::system_clock::time_point>& deadline,
                       std::chrono::milliseconds delay) {
  return !deadline || std::chrono::system_clock::now() + delay < *deadline;
}

}  // namespace

std::chrono::milliseconds RetryPolicy::DelayAfter(int attempt, double jitter) const {
  double delay = static_cast<double>(base_delay.count());
  for (int i = 1; i < attempt && delay < static_cast<double>(max_delay.count()); ++i) delay *= 2;
  delay = std::min(delay, static_cast<double>(max_delay.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(delay * (0.5 + jitter)));
}

Worker::Worker(JobQueue* queue, TemplateStore* templates, ArtifactStore* artifacts,
               WorkerOptions options)
    : queue_(queue), templates_(templates), artifacts_(artifacts), options_(std::move(options)) {}

Worker::~Worker() { Stop(); }

void Worker::Start() {
  SweepStaging();
  threads_.emplace_back([this] { LeaseLoop(); });
  threads_.emplace_back([this] { KeeperLoop(); });
  if (options_.artifact_retention.count() > 0) cleanup_.Start([this] { CleanupLoop(); });
  for (int i = 0; i < options_.concurrency; ++i) threads_.emplace_back([this] { SlotLoop(); });
  spdlog::info("worker {} started: concurrency {}", options_.worker_id, options_.concurrency);
}

void Worker::Stop() {
  if (threads_.empty()) return;
  cleanup_.Stop();
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
    // Let running jobs finish, up to the drain timeout.
    const auto drained_by = std::chrono::steady_clock::now() + options_.drain_timeout;
    while (busy_ > 0 && cv_.WaitUntil(&mu_, drained_by)) {
    }
    if (busy_ > 0) {
      spdlog::warn(
          "worker {}: {} jobs still running after the drain timeout; stopping them and "
          "giving them back to the queue",
          options_.worker_id, busy_);
      for (auto& [id, r] : running_) r->released = true;
    }
  }
  cv_.SignalAll();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Worker::LeaseLoop() {
  std::unique_ptr<RedisConnection> wait_conn;
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping_) {
    int free;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && busy_ >= options_.concurrency) cv_.Wait(&mu_);
      if (stopping_) break;
      free = options_.concurrency - busy_;
    }
    auto jobs = queue_->Lease(options_.worker_id, free);
    if (!jobs.ok()) {
      spdlog::warn("lease failed: {}; retrying in {} ms", jobs.status().ToString(),
                   backoff.count());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    if (!jobs->empty()) {
      MutexLock lock(&mu_);
      for (auto& j : *jobs) {
        auto r = std::make_shared<Running>();
        r->job = std::move(j);
        running_[r->job.id] = r;
        ready_.push_back(std::move(r));
        ++busy_;
      }
      cv_.SignalAll();
      continue;
    }
    // Nothing queued: block on the signal list until a submit wakes us. The
    // timeout bounds how late an expired lease is reclaimed.
    if (!wait_conn || wait_conn->broken()) {
      auto c = RedisConnection::Connect(queue_->pool()->options());
      if (!c.ok()) {
        std::this_thread::sleep_for(backoff);
        continue;
      }
      wait_conn = std::move(*c);
    }
    Status s = queue_->WaitForWork(*wait_conn, std::chrono::milliseconds(1000));
    if (!s.ok()) spdlog::debug("wait for work: {}", s.ToString());
  }
}

void Worker::SlotLoop() {
  while (true) {
    std::shared_ptr<Running> r;
    {
      MutexLock lock(&mu_);
      while (ready_.empty() && !stopping_) cv_.Wait(&mu_);
      if (ready_.empty()) return;
      r = std::move(ready_.front());
      ready_.pop_front();
    }
    RunJob(r);
    {
      MutexLock lock(&mu_);
      running_.erase(r->job.id);
      --busy_;
    }
    cv_.SignalAll();
  }
}

void Worker::KeeperLoop() {
  // Announce the worker at once, not one interval later.
  if (Status s = queue_->Heartbeat(options_.worker_id); !s.ok()) {
    spdlog::warn("heartbeat failed: {}", s.ToString());
  }
  auto next_heartbeat = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  auto next_trim = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    {
      const auto next_extend = std::chrono::steady_clock::now() + options_.extend_interval;
      MutexLock lock(&mu_);
      while (!(stopping_ && busy_ == 0) && cv_.WaitUntil(&mu_, next_extend)) {
      }
      if (stopping_ && busy_ == 0) break;
    }
    std::vector<std::shared_ptr<Running>> held;
    {
      MutexLock lock(&mu_);
      for (auto& [id, r] : running_) held.push_back(r);
    }
    if (!held.empty()) {
      std::vector<const LeasedJob*> jobs;
      for (auto& r : held) jobs.push_back(&r->job);
      auto states = queue_->Extend(jobs);
      if (states.ok()) {
        for (size_t i = 0; i < held.size(); ++i)
          held[i]->lease.store(static_cast<int>((*states)[i]));
      } else {
        spdlog::warn("extending {} leases failed: {}", held.size(), states.status().ToString());
      }
    }
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      Status s = queue_->Heartbeat(options_.worker_id);
      if (!s.ok()) spdlog::warn("heartbeat failed: {}", s.ToString());
      next_heartbeat = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    }
    if (std::chrono::steady_clock::now() >= next_trim) {
      // Every worker trims now and then; the script is cheap and idempotent.
      auto trimmed = queue_->TrimIndex();
      if (trimmed.ok() && *trimmed > 0) spdlog::debug("trimmed {} expired jobs", *trimmed);
      SweepStaging();
      next_trim = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    }
  }
}

void Worker::RunJob(const std::shared_ptr<Running>& r) {
  const LeasedJob& job = r->job;
  JobLogScope scope(job.id);
  spdlog::info("running attempt {} (template '{}' v{})", job.attempt, job.spec.template_id,
               job.spec.template_version);
  JobContext ctx;
  ctx.job_id = job.id;
  ctx.spec = job.spec;
  ctx.templates = templates_;
  ctx.sources = options_.sources;
  ctx.limits = options_.stage_limits;
  if (job.spec.deadline_ms > 0) {
    ctx.deadline =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(job.spec.deadline_ms));
  }
  std::vector<ArtifactInfo> stored;
  Status s;
  auto dir = artifacts_->StagingDir(job.id, job.token);
  if (!job.corrupt.empty()) {
    s = Status(StatusCode::kDataLoss,
               "the job's record in Redis is unusable: " + job.corrupt + "; submit the job again");
  } else if (!dir.ok()) {
    s = dir.status();
  } else {
    ctx.output_dir = *dir;
    Pipeline pipeline([&](JobContext&) -> Status {
      auto committed = artifacts_->Commit(job.id, job.token);
      if (!committed.ok()) return committed.status();
      stored = std::move(*committed);
      return Status::OK();
    });
    QueueProgressSink sink(queue_, job, &r->lease, &r->released);
    s = pipeline.Run(ctx, sink);
  }

  if (r->released.load() && !s.ok()) {
    // Stopped by a shutdown that could not wait for it: give it back.
    artifacts_->Discard(job.id, job.token);
    auto released = queue_->Release(job);
    if (released.ok() && *released == LeaseState::kHeld) {
      spdlog::info("given back to the queue at shutdown");
    } else {
      spdlog::warn("could not give the job back at shutdown ({}); its lease will expire",
                   released.ok() ? "lease lost" : released.status().ToString());
    }
    return;
  }
  if (s.code() == StatusCode::kAborted) {
    spdlog::warn("lease lost; abandoning the job to its new holder");
    artifacts_->Discard(job.id, job.token);
    return;
  }
  if (s.code() == StatusCode::kUnavailable && ctx.store_unavailable) {
    // Redis was unreachable: not the job's fault. Leave it to its lease,
    // which expires and queues it again.
    spdlog::warn("abandoning the attempt to its lease expiry: {}", s.ToString());
    artifacts_->Discard(job.id, job.token);
    return;
  }
  std::function<StatusOr<LeaseState>()> record;
  // Attempts this job gets: its own number, its template's, or the default.
  const int max_attempts = job.spec.max_attempts > 0            ? job.spec.max_attempts
                           : ctx.resolved.tmpl.max_attempts > 0 ? ctx.resolved.tmpl.max_attempts
                                                                : options_.retry.max_attempts;
  // This attempt and the failed ones before it; reclaimed attempts (a
  // crashed worker) do not use up the budget.
  const int attempts_used = job.failed_attempts + 1;
  thread_local std::mt19937 rng{std::random_device{}()};
  const auto delay =
      options_.retry.DelayAfter(attempts_used, std::uniform_real_distribution<double>(0, 1)(rng));
  bool retrying = false;
  if (s.ok()) {
    record = [&] { return queue_->Complete(job, stored, ctx.warnings); };
  } else if (s.code() == StatusCode::kCancelled) {
    record = [&] { return queue_->AckCancel(job); };
  } else if (IsTransient(s) && attempts_used < max_attempts &&
             RetryFitsDeadline(ctx.deadline, delay)) {
    spdlog::warn("attempt {} of {} failed: {}; retrying in {} ms", attempts_used, max_attempts,
                 s.ToString(), delay.count());
    retrying = true;
    record = [&] { return queue_->Retry(job, s, delay, ctx.warnings); };
  } else {
    if (IsTransient(s) && attempts_used >= max_attempts) {
      s = Status(s.code(), s.message() + " (attempt " + std::to_string(attempts_used) + " of " +
                               std::to_string(max_attempts) + ")");
    } else if (IsTransient(s)) {
      s = Status(s.code(), s.message() + " (no retry: the job's deadline comes first)");
    }
    record = [&] { return queue_->Fail(job, s, ctx.warnings); };
  }
  StatusOr<LeaseState> end = RecordEnd(record);
  if (!end.ok()) {
    // Unknown whether Redis applied it: keep the files, so a COMPLETED job
    // never points at deleted artifacts. If it was not applied, the lease
    // expires and the job runs again under a new token.
    spdlog::error("cannot record the job's end: {}; leaving it to its lease",
                  end.status().ToString());
    return;
  }
  if (*end == LeaseState::kLost) {
    spdlog::warn("lease lost before the job's end was recorded; discarding this attempt");
    artifacts_->Discard(job.id, job.token);
    return;
  }
  if (s.ok()) {
    // An earlier attempt killed between committing and recording left its
    // files: this run holds the job's only artifacts now.
    artifacts_->RemoveOtherRuns(job.id, job.token);
    ++completed_;
    spdlog::info("completed: {} artifacts", stored.size());
    return;
  }
  artifacts_->Discard(job.id, job.token);
  if (s.code() == StatusCode::kCancelled) {
    spdlog::info("cancelled");
  } else if (retrying) {
    ++retried_;
  } else {
    ++failed_;
    spdlog::warn("failed: {}", s.ToString());
  }
}

void Worker::CleanupLoop() {
  std::string last_error;
  for (;;) {
    cleanup_.SleepFor(options_.cleanup_interval);
    if (cleanup_.stopping()) break;
    auto removed = artifacts_->RemoveExpired(options_.artifact_retention);
    if (removed.ok() && *removed > 0) {
      spdlog::info("removed {} expired artifact entries (older than {} s, artifacts.retention_s)",
                   *removed, options_.artifact_retention.count());
    }
    if (!removed.ok() && removed.status().message() != last_error) {
      spdlog::warn("removing expired artifacts: {}", removed.status().message());
    }
    last_error = removed.ok() ? std::string() : removed.status().message();
  }
}

void Worker::SweepStaging() {
  QueueInspector inspector(queue_->pool());
  int removed = 0;
  for (const ArtifactStore::StagedRun& run : artifacts_->StagedRuns()) {
    StatusOr<bool> current = inspector.LeaseIsCurrent(run.job_id, run.token);
    if (!current.ok()) return;  // Redis unreachable: try again later
    if (*current) continue;     // a run in progress (here or on another worker)
    artifacts_->RemoveStaging(run);
    ++removed;
  }
  if (removed > 0)
    spdlog::info("removed {} staging directories of runs whose lease is gone", removed);
}

StatusOr<LeaseState> Worker::RecordEnd(const std::function<StatusOr<LeaseState>()>& record) {
  // FINISH is idempotent for the token that finished the job, so a call
  // whose reply was lost can be repeated safely until Redis answers.
  auto deadline = std::chrono::steady_clock::now() + queue_->options().lease_duration * 2;
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    StatusOr<LeaseState> end = record();
    if (end.ok() || std::chrono::steady_clock::now() >= deadline) return end;
    spdlog::warn("recording the job's end failed ({}); retrying in {} ms", end.status().ToString(),
                 backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace quire
