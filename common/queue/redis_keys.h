// Every Redis key and channel Quire uses, built in one place. All live under
// the `{quire}` hash tag, so in Redis Cluster they share one slot and every
// Lua script may touch any of them.
#pragma once

#include <string>

#include "common/queue/job.h"

namespace quire::keys {

// The hash tag and prefix of every key.
inline constexpr const char* kPrefix = "{quire}:";

// HASH: one job's record (fields: see docs/architecture.md).
std::string Job(const std::string& job_id);
// The prefix Job() puts before an id; scripts append ids to it.
std::string JobPrefix();
// ZSET: queued job ids of one priority, scored by enqueue sequence (FIFO).
std::string Pending(Priority p);
// ZSET: leased job ids, scored by lease deadline (ms since epoch, Redis clock).
std::string Active();
// ZSET: RETRY_SCHEDULED job ids, scored by when they may run again (ms,
// Redis clock); LEASE moves the due ones back to their queues.
std::string Scheduled();
// ZSET: SCHEDULED job ids (submitted with a run_at time), scored by that
// time (ms); LEASE moves the due ones to their queues.
std::string Delayed();
// STRING counter: the enqueue sequence.
std::string Sequence();
// STRING counter: lease fencing tokens.
std::string Fence();
// LIST: wake-up tokens; workers BLPOP it instead of polling the queues.
std::string Signal();
// ZSET: every job id, scored by creation time (ms); used by ListJobs.
std::string Index();
// HASH: counters submitted, completed, failed, cancelled, reclaimed,
// retried, requeued.
std::string Stats();
// STRING: job id for an idempotency key, with a TTL.
std::string Idempotency(const std::string& key);
// LIST: the most recent stage durations (ms), newest first, capped.
std::string StageLatencyPrefix();
std::string StageLatency(Stage s);
// ZSET: worker ids scored by their last heartbeat (ms).
std::string Workers();
// HASH: a template's versions: "latest" -> n, "v:<n>" -> YAML, "t:<n>" -> ms.
std::string Template(const std::string& template_id);
// ZSET: template ids scored by last update (ms).
std::string Templates();
// HASH: template id -> number of queued or running jobs pinned to one of
// its stored versions.
std::string TemplateRefs();
// STRING: a data source's cached table (table_codec.h), by the hex key
// SourceCacheKey() computes; expires after the source's cache TTL.
std::string CacheEntry(const std::string& hash);
// STRING: the token of the worker fetching that source for everyone
// (single flight), with a TTL as long as the fetch may take.
std::string CacheLock(const std::string& hash);
// STRING: why the fetch under `token` failed, for the jobs that waited on
// it; expires after a few seconds.
std::string CacheFailure(const std::string& hash, const std::string& token);
// HASH: per template and source, SourceStatsField() -> count.
std::string SourceStats();
// "<template>|<source>|<counter>"; counters: hits, misses, fresh, bypass,
// errors, fetches, fetch_ms.
std::string SourceStatsField(const std::string& template_id, const std::string& source,
                             const std::string& counter);
// HASH: one recurring schedule: cron, tz, job (a serialized
// SubmitJobRequest), paused, next, last, last_job, err, runs, created.
std::string Schedule(const std::string& id);
// ZSET: every schedule id, scored by creation time (ms).
std::string Schedules();
// ZSET: ids of active (not paused) schedules, scored by their next run (ms).
std::string SchedulesDue();
// STRING: present while a history writer runs (history_writer.h); it
// expires when none has refreshed it for a while. While it exists, scripts
// put changed jobs in the history outbox and finished jobs wait there,
// without expiry, until the writer has copied them to PostgreSQL.
std::string HistoryOn();
// ZSET: ids of jobs changed since the history writer last copied them,
// scored by when they first changed (ms).
std::string HistoryOutbox();
// STRING: the id of the history writer that copies the outbox (one at a
// time), with a TTL its holder keeps renewing.
std::string HistoryLock();
// Pub/sub channel of one job's events (not a key; never stored).
std::string EventChannel(const std::string& job_id);
// The prefix EventChannel() puts before an id.
std::string EventChannelPrefix();

}  // namespace quire::keys
