// The scripts that change a job once it exists, one typed builder each:
// SUBMIT creates jobs; EXTEND, PROGRESS, FINISH, RETRY and RELEASE are a
// lease holder's; CANCEL and REQUEUE come from clients; TRIM_INDEX and
// HEARTBEAT keep the queue tidy. LEASE, the largest, has a file of its own
// (lease_script.h). Each builder fills the script's KEYS and ARGV in the
// order documented above its text in job_scripts.cc; run the call with
// RunScript() (lua_script.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/job_queue.h"
#include "common/queue/lua_script.h"

namespace quire::scripts {

// SUBMIT: creates `specs`, `ids[i]` being the new id of `specs[i]`.
ScriptCall Submit(std::span<const JobSpec> specs, std::span<const std::string> ids,
                  std::chrono::seconds idempotency_ttl);
// One result per job submitted.
StatusOr<std::vector<SubmitResult>> ParseSubmit(const RedisReply& reply, size_t count);

// EXTEND: pushes the deadlines of `jobs` to now + `lease`.
ScriptCall Extend(const std::vector<const LeasedJob*>& jobs, std::chrono::milliseconds lease);

// PROGRESS: the stage and progress of a leased job.
ScriptCall Progress(const LeasedJob& job, Stage stage, int percent);

// FINISH: ends leased jobs as COMPLETED, FAILED or CANCELLED.
struct FinishRequest {
  const LeasedJob* job;
  JobState state;
  std::string code;
  std::string message;
  std::string artifacts;  // JSON array (EncodeArtifacts), for COMPLETED
  std::string warnings;   // JSON array, or "" for none
};
ScriptCall Finish(const std::vector<FinishRequest>& requests, std::chrono::seconds retention);

// A lease holder's reply for one job: 1 held, 2 held and cancel requested,
// else lost.
LeaseState LeaseStateFromReply(long long value);
// The reply of EXTEND and FINISH: one LeaseState per job, or
// INTERNAL naming `script` when the reply has another count.
StatusOr<std::vector<LeaseState>> ParseLeaseStates(const RedisReply& reply, size_t count,
                                                   const char* script);

// CANCEL: reply 'CANCELLED', 'RUNNING' (flagged), 'NOT_FOUND' or the
// terminal state the job already had.
ScriptCall Cancel(const std::string& job_id, std::chrono::seconds retention);

// RETRY: ends this attempt with `error`; queued again after `delay`.
// Reply 1 scheduled, 0 lost.
ScriptCall Retry(const LeasedJob& job, const Status& error, std::chrono::milliseconds delay,
                 const std::string& warnings);

// RELEASE: gives a leased job back to its queue. Reply 1 released, 0 lost.
ScriptCall Release(const LeasedJob& job);

// REQUEUE: sends the FAILED job `job_id` of template `template_id` back to
// its queue. Reply 'QUEUED', 'NOT_FOUND', 'NO_TEMPLATE', 'BAD_RECORD', or the
// job's state.
ScriptCall Requeue(const std::string& job_id, const std::string& template_id);

// TRIM_INDEX: drops up to `max_ids` expired ids created before `cutoff_ms`.
// Reply: how many.
ScriptCall TrimIndex(int64_t cutoff_ms, int max_ids);

// HEARTBEAT: records that `worker_id` is alive. Reply: the script's now, ms.
ScriptCall Heartbeat(const std::string& worker_id);

}  // namespace quire::scripts
