// JobQueue: every state change of a job in Redis — submit, lease, extend,
// progress, complete, fail, cancel — each one Lua script (job_scripts.h,
// lease_script.h),
// plus the blocking wait for work. Read-only inspection (get, list, metrics)
// lives apart, in queue_inspector.h.
//
// Thread-safe: connections come from a shared RedisPool.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/redis_client.h"

namespace quire {
namespace scripts {
struct FinishRequest;  // job_scripts.h
}  // namespace scripts

struct QueueOptions {
  // How long a lease lasts without extension.
  std::chrono::milliseconds lease_duration{30000};
  // How long finished jobs stay in Redis.
  std::chrono::seconds retention{7 * 24 * 3600};
  // How long an idempotency key maps to its job.
  std::chrono::seconds idempotency_retention{24 * 3600};
  // Expired leases reclaimed per Lease() call at most.
  int reclaim_batch = 100;
  // A job queued this long at one level rises to the next (LOW -> NORMAL ->
  // HIGH -> URGENT), so no priority starves; 0 turns aging off.
  std::chrono::milliseconds aging{60000};
  // A job whose lease expires this many times (its worker crashed each
  // time) is FAILED instead of queued again; 0: never.
  int max_lost_leases = 10;
  // The time that decides leases, retries, aging and run-at times. nullptr:
  // Redis' own clock, which every worker agrees on (production); tests pass
  // a SimulatedClock and advance it instead of sleeping. Not owned.
  const Clock* clock = nullptr;
};

struct SubmitResult {
  std::string job_id;
  bool deduplicated = false;
};

// What a lease holder learns when it touches its job.
enum class LeaseState { kLost = 0, kHeld = 1, kCancelRequested = 2 };

// Outcome of Cancel().
struct CancelOutcome {
  // kCancelled when it was queued, kRunning when its worker was asked to
  // stop, or the terminal state it already had.
  JobState state = JobState::kUnspecified;
};

class JobQueue {
 public:
  JobQueue(RedisPool* pool, QueueOptions options);

  // Creates and queues one job (its id is made here).
  StatusOr<SubmitResult> Submit(const JobSpec& spec);
  // Submits many jobs, up to 1,000 per script call. The outer status fails
  // only when Redis is unreachable.
  StatusOr<std::vector<SubmitResult>> SubmitBatch(const std::vector<JobSpec>& specs);

  // Leases up to `max_jobs` jobs, highest priority first, FIFO within a
  // priority; reclaims expired leases first. Empty when nothing is queued.
  StatusOr<std::vector<LeasedJob>> Lease(const std::string& worker_id, int max_jobs);
  // Blocks on `conn` up to `timeout` until a submit signals work. Returns
  // OK both on a signal and on timeout: the caller leases next either way.
  Status WaitForWork(RedisConnection& conn, std::chrono::milliseconds timeout);

  // Extends the leases of the given jobs; one LeaseState per job.
  StatusOr<std::vector<LeaseState>> Extend(const std::vector<const LeasedJob*>& jobs);
  // Records stage and progress (0..100) of a leased job.
  StatusOr<LeaseState> Progress(const LeasedJob& job, Stage stage, int percent);
  // Ends a leased job. kLost when the lease was lost: nothing was written.
  // `warnings` (e.g. optional sources without data) are kept on the record.
  StatusOr<LeaseState> Complete(const LeasedJob& job, const std::vector<ArtifactInfo>& artifacts,
                                const std::vector<std::string>& warnings = {});
  // Completes many jobs in one script call.
  StatusOr<std::vector<LeaseState>> CompleteBatch(const std::vector<const LeasedJob*>& jobs);
  StatusOr<LeaseState> Fail(const LeasedJob& job, const Status& error,
                            const std::vector<std::string>& warnings = {});
  // Ends this attempt with a retryable `error`: the job is RETRY_SCHEDULED,
  // the attempt in its history, and it is queued again after `delay`.
  StatusOr<LeaseState> Retry(const LeasedJob& job, const Status& error,
                             std::chrono::milliseconds delay,
                             const std::vector<std::string>& warnings = {});
  // Gives a leased job back to its queue at its old place, its attempt
  // undone (a worker shutting down). kLost when the lease was lost.
  StatusOr<LeaseState> Release(const LeasedJob& job);
  // Acknowledges a cancel request: the job ends CANCELLED.
  StatusOr<LeaseState> AckCancel(const LeasedJob& job);

  // NOT_FOUND for an unknown job.
  StatusOr<CancelOutcome> Cancel(const std::string& job_id);
  // Sends a FAILED job back to its queue with a fresh retry budget.
  // NOT_FOUND for an unknown job; FAILED_PRECONDITION for one that is not
  // FAILED or whose template version was deleted.
  Status Requeue(const std::string& job_id);

  // Drops from the ListJobs index up to `max_ids` ids of jobs that have
  // expired, among those created before now − retention. Returns how many.
  StatusOr<int64_t> TrimIndex(int max_ids = 1000);

  // Records a worker's heartbeat.
  Status Heartbeat(const std::string& worker_id);

  RedisPool* pool() const { return pool_; }
  const QueueOptions& options() const { return options_; }

 private:
  StatusOr<std::vector<LeaseState>> FinishMany(const std::vector<scripts::FinishRequest>& reqs);
  StatusOr<LeaseState> Finish(scripts::FinishRequest req);

  RedisPool* const pool_;
  const QueueOptions options_;
};

// A new job id: 13 hex digits of milliseconds then 11 random hex digits, so
// ids sort by creation time.
std::string NewJobId();

}  // namespace quire
