// The job hash in Redis (keys::Job): the names of its fields and how a
// JobRecord is read from them. The scripts that change jobs (job_scripts.cc,
// lease_script.cc) write the same names; the fields LEASE hands a worker are
// listed once, in LeasedFields(), and that list is generated into the
// script's text, so the script and LeasedJobFromFields() cannot disagree on
// their order. Besides these fields a record holds `t:<STAGE>:s|e` stage
// times, and `seq`, `qat`, `lvl`, `lost`, `token`, `fin` that only the
// scripts read. docs/architecture.md lists every field.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/queue/job.h"

namespace quire {

namespace job_field {
inline constexpr char kId[] = "id";                 // the job id
inline constexpr char kTemplate[] = "tpl";          // template id
inline constexpr char kTemplateVersion[] = "tver";  // pinned template version (0: inline)
inline constexpr char kInline[] = "inline";         // inline template YAML
inline constexpr char kParams[] = "params";         // parameters: JSON list of [name, value]
inline constexpr char kPriority[] = "prio";         // priority 1..4 as submitted
inline constexpr char kOutputs[] = "outputs";       // formats, comma-separated
inline constexpr char kIdempotencyKey[] = "idem";   // idempotency key
inline constexpr char kSubmitter[] = "submitter";   // who submitted it
inline constexpr char kFreshData[] = "fresh";       // '1': bypass the source cache
inline constexpr char kMaxAttempts[] = "maxatt";    // attempt budget (absent: default)
inline constexpr char kDeadline[] = "deadline";     // ms by which it must finish
inline constexpr char kRunAt[] = "run_at";          // ms before which it must not start
inline constexpr char kState[] = "state";           // JobStateName()
inline constexpr char kStage[] = "stage";           // StageName() of the running stage
inline constexpr char kProgress[] = "progress";     // 0..100
inline constexpr char kAttempt[] = "attempt";       // the current or last attempt, from 1
inline constexpr char kCreated[] = "created";       // ms when submitted
inline constexpr char kStarted[] = "started";       // ms when first leased
inline constexpr char kFinished[] = "finished";     // ms when it ended
inline constexpr char kErrorCode[] = "err_code";    // gRPC status code name
inline constexpr char kErrorMessage[] = "err_msg";  // error text
inline constexpr char kWarnings[] = "warnings";     // JSON array of strings
inline constexpr char kAttempts[] = "attempts";     // JSON list of failed attempts (the last 50)
inline constexpr char kNextAttempt[] = "next_at";   // RETRY_SCHEDULED: ms of the next attempt
inline constexpr char kFails[] = "fails";           // failed attempts since submit or requeue
inline constexpr char kArtifacts[] = "artifacts";   // JSON list of artifacts
inline constexpr char kWorker[] = "worker";         // the leasing worker
inline constexpr char kCancel[] = "cancel";         // '1' once a cancel was requested
inline constexpr char kVersion[] = "ver";           // event sequence, +1 per change
}  // namespace job_field

// Fills a JobRecord from a flat HGETALL-style field/value map.
JobRecord JobRecordFromFields(const std::map<std::string, std::string>& fields);

// The fields LEASE returns for each job it leases, in this order.
const std::vector<std::string>& LeasedFields();
// The leased job `id` from the values of LeasedFields(), in order (absent
// fields empty). Marks it corrupt when its record cannot be run as it is.
LeasedJob LeasedJobFromFields(std::string id, int64_t token, int attempt,
                              const std::vector<std::string>& values);

// Encodings of the fields that hold more than one value.
std::string EncodeParams(const std::vector<std::pair<std::string, std::string>>& params);
std::vector<std::pair<std::string, std::string>> DecodeParams(const std::string& json);
std::string EncodeArtifacts(const std::vector<ArtifactInfo>& artifacts);
std::vector<ArtifactInfo> DecodeArtifacts(const std::string& json);
std::vector<AttemptError> DecodeAttemptErrors(const std::string& json);
std::string EncodeStrings(const std::vector<std::string>& items);  // a JSON array
std::vector<std::string> DecodeStrings(const std::string& json);
std::string JoinList(const std::vector<std::string>& items);
std::vector<std::string> SplitList(const std::string& text);

}  // namespace quire
