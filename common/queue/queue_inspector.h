// QueueInspector: read-only views of the queue for GetJob, ListJobs and
// GetMetrics. Writes nothing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/redis_client.h"

namespace quire {

struct JobFilter {
  JobState state = JobState::kUnspecified;  // any
  std::string template_id;                  // any when empty
  int priority = 0;                         // any when 0
};

struct JobPage {
  std::vector<JobRecord> jobs;
  std::string next_page_token;  // empty after the last page
};

struct LatencySummary {
  Stage stage = Stage::kNone;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
  int64_t samples = 0;
};

// One data source's counters (written by the workers' source cache).
struct SourceStats {
  std::string template_id;
  std::string source;
  int64_t hits = 0;      // tables read from the cache (also after waiting on another fetch)
  int64_t misses = 0;    // not cached: fetched and stored
  int64_t fresh = 0;     // fetched because the job asked for fresh data
  int64_t bypass = 0;    // fetched without the cache (TTL 0, Redis unreachable)
  int64_t errors = 0;    // jobs that got no table
  int64_t fetches = 0;   // fetches that ran (every outcome but a hit)
  int64_t fetch_ms = 0;  // their total time
};

struct QueueMetrics {
  std::map<Priority, int64_t> depth;
  std::map<JobState, int64_t> by_state;
  int64_t submitted = 0, completed = 0, failed = 0, cancelled = 0, reclaimed = 0;
  int64_t retried = 0;   // attempts that ended RETRY_SCHEDULED
  int64_t requeued = 0;  // FAILED jobs sent back by RequeueJob
  std::vector<LatencySummary> latency;
  int64_t live_workers = 0;
  std::vector<SourceStats> sources;  // by template, then source
  // Job records waiting to be copied to the PostgreSQL history.
  int64_t history_backlog = 0;
};

// Where the records of jobs that left Redis are kept: the PostgreSQL job
// history (common/store/history_store.h) implements it. The queue reads it
// through this interface so that it does not depend on the stores.
class JobArchive {
 public:
  virtual ~JobArchive() = default;
  // NOT_FOUND for a job the archive does not have.
  virtual StatusOr<JobRecord> Get(const std::string& job_id) = 0;
  // Up to `limit` jobs matching `filter`, newest first, strictly after the
  // position (created_ms, id) in that order; before_created_ms < 0 means
  // from the newest.
  virtual StatusOr<std::vector<JobRecord>> List(const JobFilter& filter,
                                                int64_t before_created_ms,
                                                const std::string& before_id, int limit) = 0;
};

class QueueInspector {
 public:
  // With a `history` (may be null), jobs that left Redis are read from the
  // PostgreSQL job history.
  explicit QueueInspector(RedisPool* pool, JobArchive* history = nullptr)
      : pool_(pool), history_(history) {}

  // NOT_FOUND for an unknown job (or one past its retention, without a
  // history). UNAVAILABLE when the job is not in Redis and the history
  // cannot be read.
  StatusOr<JobRecord> Get(const std::string& job_id);
  // Newest first. `page_size` 1..1000. INVALID_ARGUMENT for a bad token.
  // With a history, the jobs in Redis and those only in the history are
  // merged into one order (a job in both is read from Redis, the newer).
  StatusOr<JobPage> List(const JobFilter& filter, int page_size, const std::string& page_token);
  StatusOr<QueueMetrics> Metrics();
  // True while `token` is the live lease of `job_id` (the job is RUNNING
  // under it); false once the lease expired, moved on or the job ended.
  StatusOr<bool> LeaseIsCurrent(const std::string& job_id, int64_t token);

 private:
  StatusOr<JobPage> ListRedis(const JobFilter& filter, int page_size, int64_t max_created,
                              const std::string& after_id);

  RedisPool* const pool_;
  JobArchive* const history_;
};

// The q-th quantile (0..1) of samples by nearest rank; 0 when empty.
double Quantile(std::vector<double> samples, double q);

}  // namespace quire
