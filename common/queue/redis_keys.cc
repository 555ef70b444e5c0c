#include "common/queue/redis_keys.h"

namespace quire::keys {

std::string JobPrefix() { return std::string(kPrefix) + "job:"; }
std::string Job(const std::string& job_id) { return JobPrefix() + job_id; }
std::string Pending(Priority p) {
  return std::string(kPrefix) + "pending:" + std::to_string(static_cast<int>(p));
}
std::string Active() { return std::string(kPrefix) + "active"; }
std::string Scheduled() { return std::string(kPrefix) + "scheduled"; }
std::string Delayed() { return std::string(kPrefix) + "delayed"; }
std::string Sequence() { return std::string(kPrefix) + "seq"; }
std::string Fence() { return std::string(kPrefix) + "fence"; }
std::string Signal() { return std::string(kPrefix) + "signal"; }
std::string Index() { return std::string(kPrefix) + "index"; }
std::string Stats() { return std::string(kPrefix) + "stats"; }
std::string Idempotency(const std::string& key) { return std::string(kPrefix) + "idem:" + key; }
std::string StageLatencyPrefix() { return std::string(kPrefix) + "latency:"; }
std::string StageLatency(Stage s) { return StageLatencyPrefix() + StageName(s); }
std::string Workers() { return std::string(kPrefix) + "workers"; }
std::string Template(const std::string& id) { return std::string(kPrefix) + "tpl:" + id; }
std::string Templates() { return std::string(kPrefix) + "templates"; }
std::string TemplateRefs() { return std::string(kPrefix) + "tplrefs"; }
std::string CacheEntry(const std::string& hash) { return std::string(kPrefix) + "cache:" + hash; }
std::string CacheLock(const std::string& hash) { return CacheEntry(hash) + ":lock"; }
std::string CacheFailure(const std::string& hash, const std::string& token) {
  return CacheEntry(hash) + ":err:" + token;
}
std::string SourceStats() { return std::string(kPrefix) + "sourcestats"; }
std::string SourceStatsField(const std::string& template_id, const std::string& source,
                             const std::string& counter) {
  return template_id + "|" + source + "|" + counter;
}
std::string Schedule(const std::string& id) { return std::string(kPrefix) + "sched:" + id; }
std::string Schedules() { return std::string(kPrefix) + "schedules"; }
std::string SchedulesDue() { return std::string(kPrefix) + "schedules:due"; }
std::string HistoryOn() { return std::string(kPrefix) + "history:on"; }
std::string HistoryOutbox() { return std::string(kPrefix) + "history:outbox"; }
std::string HistoryLock() { return std::string(kPrefix) + "history:lock"; }
std::string EventChannelPrefix() { return std::string(kPrefix) + "events:"; }
std::string EventChannel(const std::string& job_id) { return EventChannelPrefix() + job_id; }

}  // namespace quire::keys
