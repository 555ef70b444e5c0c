// Worker: one quire-worker process's engine. A leasing thread takes jobs
// from the queue in batches as slots free up (blocking on the queue's signal
// when there is nothing to do, never polling); `concurrency` slot threads run
// the pipeline; a keeper thread extends the leases of running jobs, learns
// of cancel requests and lost leases, and sends the worker's heartbeat.
//
// A job whose lease is lost is abandoned without writing anything: its
// partial artifacts are discarded, and its new holder runs it.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/base/background_loop.h"
#include "common/base/mutex.h"
#include "common/queue/job_queue.h"
#include "common/store/artifact_store.h"
#include "common/store/stored_templates.h"
#include "report/pipeline/pipeline.h"

namespace quire {

class SourceCollector;

// How a worker retries a job whose attempt failed with a retryable error
// (a timeout, an unreachable source: the codes IsTransient accepts).
struct RetryPolicy {
  // Attempts when neither the job nor its template says (queue.max_attempts).
  int max_attempts = 3;
  // Delay before the second attempt (queue.retry_base_ms); doubled for each
  // later one, up to `max_delay` (queue.retry_max_ms), then jittered ±50%.
  std::chrono::milliseconds base_delay{10000};
  std::chrono::milliseconds max_delay{600000};

  // The delay after failed attempt number `attempt` (1-based, counted since
  // the last requeue); `jitter` in [0, 1) spreads it over 0.5..1.5 times.
  std::chrono::milliseconds DelayAfter(int attempt, double jitter) const;
};

struct WorkerOptions {
  std::string worker_id;
  int concurrency = 4;
  // How often leases are extended and cancel requests picked up.
  std::chrono::milliseconds extend_interval{1000};
  // How long Stop() waits for running jobs; then it stops them and gives
  // them back to the queue (worker.drain_timeout_ms).
  std::chrono::milliseconds drain_timeout{30000};
  // Fetches jobs' data sources; may be null (defaults, see JobContext).
  SourceCollector* sources = nullptr;
  RetryPolicy retry;
  // Stage time limits where templates set none (config timeouts.*_s).
  StageLimits stage_limits;
  // Committed artifacts older than this are removed (artifacts.retention_s);
  // 0 keeps them. Checked every `cleanup_interval`.
  std::chrono::seconds artifact_retention{0};
  std::chrono::milliseconds cleanup_interval{60000};
};

class Worker {
 public:
  Worker(JobQueue* queue, TemplateStore* templates, ArtifactStore* artifacts,
         WorkerOptions options);
  ~Worker();

  void Start();
  // Stops leasing, waits for running jobs up to drain_timeout, then stops
  // the rest at their next check and gives them back to the queue.
  void Stop();

  int64_t jobs_completed() const { return completed_.load(); }
  int64_t jobs_failed() const { return failed_.load(); }
  int64_t attempts_retried() const { return retried_.load(); }

 private:
  struct Running {
    LeasedJob job;
    // LeaseState as last seen by the keeper or a progress report.
    std::atomic<int> lease{static_cast<int>(LeaseState::kHeld)};
    // Set by Stop() after the drain timeout: stop and give the job back.
    std::atomic<bool> released{false};
  };

  void LeaseLoop();
  void SlotLoop();
  void KeeperLoop();
  // Applies the artifact retention every cleanup_interval, on cleanup_'s
  // thread so that a slow disk or database never delays lease extension.
  void CleanupLoop();
  void RunJob(const std::shared_ptr<Running>& r);
  // Removes staging directories of runs whose lease is gone (left by
  // workers that were killed); at start and every minute.
  void SweepStaging();
  // Runs `record` (Complete, Fail or AckCancel) until Redis gives a definite
  // answer, for up to twice the lease length.
  StatusOr<LeaseState> RecordEnd(const std::function<StatusOr<LeaseState>()>& record);

  JobQueue* const queue_;
  TemplateStore* const templates_;
  ArtifactStore* const artifacts_;
  const WorkerOptions options_;

  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> completed_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> retried_{0};

  Mutex mu_;
  CondVar cv_;
  std::deque<std::shared_ptr<Running>> ready_ GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Running>> running_ GUARDED_BY(mu_);
  int busy_ GUARDED_BY(mu_) = 0;  // ready + running

  std::vector<std::thread> threads_;
  BackgroundLoop cleanup_;  // runs CleanupLoop when a retention is set
};

}  // namespace quire
