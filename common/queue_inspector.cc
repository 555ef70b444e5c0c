#include "common/queue_inspector.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/redis_keys.h"

namespace quire {
namespace {

std::map<std::string, std::string> FieldMap(const redisReply* r) {
  std::map<std::string, std::string> f;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return f;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    f[ElementString(r->element[i])] = ElementString(r->element[i + 1]);
  }
  return f;
}

bool Matches(const JobFilter& filter, const JobRecord& r) {
  if (filter.state != JobState::kUnspecified && r.state != filter.state) return false;
  if (!filter.template_id.empty() && r.spec.template_id != filter.template_id) return false;
  if (filter.priority != 0 && static_cast<int>(r.spec.priority) != filter.priority) return false;
  return true;
}

// "<template>|<source>|<counter>" -> value, into one SourceStats per
// template and source (the map's order sorts them).
std::vector<SourceStats> ParseSourceStats(const std::map<std::string, std::string>& fields) {
  std::map<std::pair<std::string, std::string>, SourceStats> by_source;
  for (const auto& [field, value] : fields) {
    const size_t a = field.find('|');
    const size_t b = a == std::string::npos ? a : field.find('|', a + 1);
    if (b == std::string::npos) continue;
    SourceStats& s = by_source[{field.substr(0, a), field.substr(a + 1, b - a - 1)}];
    s.template_id = field.substr(0, a);
    s.source = field.substr(a + 1, b - a - 1);
    const std::string counter = field.substr(b + 1);
    const int64_t n = std::strtoll(value.c_str(), nullptr, 10);
    if (counter == "hits") s.hits = n;
    if (counter == "misses") s.misses = n;
    if (counter == "fresh") s.fresh = n;
    if (counter == "bypass") s.bypass = n;
    if (counter == "errors") s.errors = n;
    if (counter == "fetches") s.fetches = n;
    if (counter == "fetch_ms") s.fetch_ms = n;
  }
  std::vector<SourceStats> out;
  for (auto& [k, s] : by_source) out.push_back(std::move(s));
  return out;
}

}  // namespace

double Quantile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  size_t rank = static_cast<size_t>(std::ceil(q * samples.size()));
  if (rank > 0) --rank;
  return samples[std::min(rank, samples.size() - 1)];
}

StatusOr<JobRecord> QueueInspector::Get(const std::string& job_id) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command({"HGETALL", keys::Job(job_id)});
  if (!r.ok()) return r.status();
  if (r->Size() == 0) return Status::NotFound("job '" + job_id + "' does not exist");
  return JobRecordFromFields(FieldMap(r->get()));
}

StatusOr<JobPage> QueueInspector::List(const JobFilter& filter, int page_size,
                                       const std::string& page_token) {
  // The token is "<created ms>:<job id>" of the last job returned; the
  // next page starts strictly after it in (created desc, id desc) order.
  std::string max = "+inf";
  std::string after_id;
  if (!page_token.empty()) {
    size_t colon = page_token.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("page_token is malformed; pass next_page_token unchanged");
    }
    max = page_token.substr(0, colon);
    after_id = page_token.substr(colon + 1);
    int64_t score = 0;
    auto [end, ec] = std::from_chars(max.data(), max.data() + max.size(), score);
    if (ec != std::errc() || end != max.data() + max.size() || after_id.empty()) {
      return Status::InvalidArgument("page_token is malformed; pass next_page_token unchanged");
    }
  }
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  JobPage page;
  const int kScan = 500;
  int offset = 0;
  while (static_cast<int>(page.jobs.size()) < page_size) {
    auto ids = (*conn)->Command({"ZREVRANGEBYSCORE", keys::Index(), max, "-inf", "WITHSCORES",
                                 "LIMIT", std::to_string(offset), std::to_string(kScan)});
    if (!ids.ok()) return ids.status();
    if (ids->Size() == 0) break;
    offset += static_cast<int>(ids->Size() / 2);
    std::vector<std::pair<std::string, std::string>> batch;
    for (size_t i = 0; i + 1 < ids->Size(); i += 2) {
      std::string id = ElementString(ids->Element(i));
      std::string score = ElementString(ids->Element(i + 1));
      if (!after_id.empty() && score == max && id >= after_id) continue;
      batch.emplace_back(std::move(id), std::move(score));
    }
    for (const auto& [id, score] : batch) (*conn)->Append({"HGETALL", keys::Job(id)});
    auto replies = (*conn)->Flush();
    if (!replies.ok()) return replies.status();
    for (size_t i = 0; i < batch.size(); ++i) {
      if ((*replies)[i].Size() == 0) continue;  // expired
      JobRecord rec = JobRecordFromFields(FieldMap((*replies)[i].get()));
      if (!Matches(filter, rec)) continue;
      page.jobs.push_back(std::move(rec));
      if (static_cast<int>(page.jobs.size()) == page_size) {
        page.next_page_token = batch[i].second + ":" + batch[i].first;
        break;
      }
    }
    if (static_cast<int>(ids->Size() / 2) < kScan) break;
  }
  return page;
}

StatusOr<bool> QueueInspector::LeaseIsCurrent(const std::string& job_id, int64_t token) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command({"HMGET", keys::Job(job_id), "token", "state"});
  if (!r.ok()) {
    // A record of the wrong type has no lease.
    if (r.status().code() == StatusCode::kUnavailable) return r.status();
    return false;
  }
  if (r->Size() != 2) return false;
  return ElementString(r->Element(0)) == std::to_string(token) &&
         ElementString(r->Element(1)) == "RUNNING";
}

StatusOr<QueueMetrics> QueueInspector::Metrics() {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return conn.status();
  QueueMetrics m;
  auto& c = **conn;
  for (int p = kMinPriority; p <= kMaxPriority; ++p) {
    c.Append({"ZCARD", keys::Pending(static_cast<Priority>(p))});
  }
  c.Append({"ZCARD", keys::Active()});
  c.Append({"HGETALL", keys::Stats()});
  c.Append({"TIME"});
  for (int s = 1; s <= 5; ++s) {
    c.Append({"LRANGE", keys::StageLatency(static_cast<Stage>(s)), "0", "-1"});
  }
  c.Append({"ZCARD", keys::Scheduled()});
  c.Append({"ZCARD", keys::Delayed()});
  auto replies = c.Flush();
  if (!replies.ok()) return replies.status();
  auto& r = *replies;
  int64_t queued = 0;
  for (int p = kMinPriority; p <= kMaxPriority; ++p) {
    m.depth[static_cast<Priority>(p)] = r[p - 1].Integer();
    queued += r[p - 1].Integer();
  }
  auto stats = FieldMap(r[5].get());
  auto stat = [&](const char* k) {
    auto it = stats.find(k);
    return it == stats.end() ? int64_t{0} : std::strtoll(it->second.c_str(), nullptr, 10);
  };
  m.submitted = stat("submitted");
  m.completed = stat("completed");
  m.failed = stat("failed");
  m.cancelled = stat("cancelled");
  m.reclaimed = stat("reclaimed");
  m.retried = stat("retried");
  m.requeued = stat("requeued");
  m.by_state[JobState::kQueued] = queued;
  m.by_state[JobState::kRunning] = r[4].Integer();
  m.by_state[JobState::kCompleted] = m.completed;
  m.by_state[JobState::kFailed] = m.failed;
  m.by_state[JobState::kCancelled] = m.cancelled;
  m.by_state[JobState::kRetryScheduled] = r[12].Integer();
  m.by_state[JobState::kScheduled] = r[13].Integer();
  int64_t now_ms = 0;
  if (r[6].Size() == 2) {
    now_ms = ElementInteger(r[6].Element(0)) * 1000 + ElementInteger(r[6].Element(1)) / 1000;
  }
  for (int s = 1; s <= 5; ++s) {
    std::vector<double> samples;
    const auto& lr = r[6 + s];
    for (size_t i = 0; i < lr.Size(); ++i) {
      samples.push_back(static_cast<double>(ElementInteger(lr.Element(i))));
    }
    LatencySummary l;
    l.stage = static_cast<Stage>(s);
    l.samples = static_cast<int64_t>(samples.size());
    l.p50_ms = Quantile(samples, 0.50);
    l.p95_ms = Quantile(samples, 0.95);
    l.p99_ms = Quantile(samples, 0.99);
    m.latency.push_back(l);
  }
  auto live = c.Command({"ZCOUNT", keys::Workers(), std::to_string(now_ms - 10000), "+inf"});
  if (!live.ok()) return live.status();
  m.live_workers = live->Integer();
  auto sources = c.Command({"HGETALL", keys::SourceStats()});
  if (!sources.ok()) return sources.status();
  m.sources = ParseSourceStats(FieldMap(sources->get()));
  return m;
}

}  // namespace quire
