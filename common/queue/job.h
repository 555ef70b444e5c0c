// The job model shared by the gateway, the queue and the worker: states,
// stages, priorities, the submitted spec and the stored record. Numbering
// matches proto/quire/v1/common.proto so conversion is a cast.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace quire {

enum class Priority : int { kLow = 1, kNormal = 2, kHigh = 3, kUrgent = 4 };
enum class JobState : int {
  kUnspecified = 0,
  kQueued = 1,
  kRunning = 2,
  kCompleted = 3,
  kFailed = 4,
  kCancelled = 5,
  // The last attempt failed with a retryable error; the job waits for
  // `next_attempt_ms`, then goes back to its queue.
  kRetryScheduled = 6,
  // Submitted with a run_at time still to come; it joins its queue then.
  kScheduled = 7,
};
enum class Stage : int {
  kNone = 0,
  kValidating = 1,
  kCollectingData = 2,
  kGeneratingCharts = 3,
  kRenderingReport = 4,
  kFinalizing = 5,
};

inline constexpr int kMinPriority = 1;
inline constexpr int kMaxPriority = 4;

// Names as stored in Redis and shown to people: "QUEUED", "VALIDATING", "HIGH".
const char* JobStateName(JobState s);
JobState JobStateFromName(const std::string& name);
const char* StageName(Stage s);
Stage StageFromName(const std::string& name);
const char* PriorityName(Priority p);
bool IsTerminal(JobState s);

// What a client asked for; everything a worker needs to run the job.
struct JobSpec {
  std::string template_id;
  int64_t template_version = 0;
  // A whole template in YAML, when the job does not use a stored one.
  std::string inline_template;
  std::vector<std::pair<std::string, std::string>> params;
  Priority priority = Priority::kNormal;
  // Lower-case format names: "pdf", "xlsx", ...
  std::vector<std::string> outputs;
  std::string idempotency_key;
  std::string submitter;
  // Fetch every data source anew instead of reading the source cache (the
  // fresh tables then refresh the cache).
  bool fresh_data = false;
  // Attempts before a retryable failure is final; 0: the template's
  // `max_attempts`, else queue.max_attempts.
  int max_attempts = 0;
  // When the job must have finished (ms since the epoch); 0 for none. A job
  // still unfinished then fails with DEADLINE_EXCEEDED and is not retried.
  int64_t deadline_ms = 0;
  // When the job may start (ms since the epoch); 0 or past: at once.
  int64_t run_at_ms = 0;
};

// One failed attempt of a job, as kept in its history.
struct AttemptError {
  int attempt = 0;
  std::string error_code;  // a gRPC status code name, e.g. "UNAVAILABLE"
  std::string error_message;
  std::string worker_id;
  int64_t finished_ms = 0;
};

struct StageTime {
  Stage stage = Stage::kNone;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;  // 0 while running
};

struct ArtifactInfo {
  std::string name;
  std::string format;  // "pdf", ...
  std::string content_type;
  int64_t size_bytes = 0;
  std::string sha256;
  // Where the artifact store keeps it (store-specific), never shown to clients.
  std::string location;
};

// A job as stored in Redis.
struct JobRecord {
  std::string id;
  JobSpec spec;
  JobState state = JobState::kUnspecified;
  Stage stage = Stage::kNone;
  int progress = 0;
  int attempt = 0;
  int64_t created_ms = 0;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  std::vector<StageTime> stage_times;
  std::string error_code;
  std::string error_message;
  // Why parts of the report are missing or stood in for, e.g. an optional
  // source that could not be read. Set when the job finishes.
  std::vector<std::string> warnings;
  // Every failed attempt, oldest first (also attempts whose lease expired).
  std::vector<AttemptError> attempt_errors;
  // RETRY_SCHEDULED: when the next attempt may start (ms since the epoch).
  int64_t next_attempt_ms = 0;
  // Attempts that failed (retried or final) since the job was submitted or
  // last requeued: what the retry budget counts. Attempts whose lease
  // expired (a crashed worker) do not count.
  int failed_attempts = 0;
  std::vector<ArtifactInfo> artifacts;
  std::string worker_id;
  bool cancel_requested = false;
  int64_t sequence = 0;
};

// A job handed to a worker by JobQueue::Lease. `token` fences every later
// write: once the lease is lost, writes with the old token are refused.
struct LeasedJob {
  std::string id;
  int64_t token = 0;
  int attempt = 0;
  int failed_attempts = 0;  // see JobRecord
  // Why the job's record cannot be run as it is (e.g. its parameters are
  // not valid JSON); empty when it can. The worker fails such a job at once.
  std::string corrupt;
  int64_t created_ms = 0;
  JobSpec spec;
};

}  // namespace quire
