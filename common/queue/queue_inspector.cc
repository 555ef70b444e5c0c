#include "common/queue/queue_inspector.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/queue/job_codec.h"
#include "common/queue/redis_keys.h"

namespace quire {
namespace {

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
  if (r->Size() > 0) return JobRecordFromFields(FieldMap(r->get()));
  if (history_ != nullptr) return history_->Get(job_id);
  return Status::NotFound("job '" + job_id + "' does not exist");
}

StatusOr<JobPage> QueueInspector::List(const JobFilter& filter, int page_size,
                                       const std::string& page_token) {
  // The token is "<created ms>:<job id>" of the last job returned; the
  // next page starts strictly after it in (created desc, id desc) order.
  int64_t max_created = -1;  // from the newest
  std::string after_id;
  if (!page_token.empty()) {
    size_t colon = page_token.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("page_token is malformed; pass next_page_token unchanged");
    }
    const std::string max = page_token.substr(0, colon);
    after_id = page_token.substr(colon + 1);
    auto [end, ec] = std::from_chars(max.data(), max.data() + max.size(), max_created);
    if (ec != std::errc() || end != max.data() + max.size() || after_id.empty() ||
        max_created < 0) {
      return Status::InvalidArgument("page_token is malformed; pass next_page_token unchanged");
    }
  }
  auto live = ListRedis(filter, page_size, max_created, after_id);
  if (!live.ok() || history_ == nullptr) return live;
  auto old = history_->List(filter, max_created, after_id, page_size);
  if (!old.ok()) return old.status();
  const bool more = !live->next_page_token.empty() || static_cast<int>(old->size()) == page_size;
  // A job still in Redis may have moved on since its copy was written:
  // Redis' record decides whether it matches.
  if (!old->empty()) {
    auto conn = pool_->Borrow();
    if (!conn.ok()) return conn.status();
    for (const auto& rec : *old) (*conn)->Append({"HGETALL", keys::Job(rec.id)});
    auto replies = (*conn)->Flush();
    if (!replies.ok()) return replies.status();
    std::vector<JobRecord> kept;
    for (size_t k = 0; k < old->size(); ++k) {
      if ((*replies)[k].Size() == 0) {
        kept.push_back(std::move((*old)[k]));
        continue;
      }
      JobRecord current = JobRecordFromFields(FieldMap((*replies)[k].get()));
      if (Matches(filter, current)) kept.push_back(std::move(current));
    }
    *old = std::move(kept);
  }
  // Both are in (created desc, id desc) order: merge, Redis first for a
  // job in both, and keep page_size.
  auto newer = [](const JobRecord& a, const JobRecord& b) {
    return a.created_ms != b.created_ms ? a.created_ms > b.created_ms : a.id > b.id;
  };
  JobPage page;
  size_t i = 0, j = 0;
  while (static_cast<int>(page.jobs.size()) < page_size &&
         (i < live->jobs.size() || j < old->size())) {
    if (j == old->size() || (i < live->jobs.size() && !newer((*old)[j], live->jobs[i]))) {
      if (j < old->size() && (*old)[j].id == live->jobs[i].id) ++j;
      page.jobs.push_back(std::move(live->jobs[i++]));
    } else {
      page.jobs.push_back(std::move((*old)[j++]));
    }
  }
  const bool left = i < live->jobs.size() || j < old->size();
  if (!page.jobs.empty() && (more || left)) {
    page.next_page_token = std::to_string(page.jobs.back().created_ms) + ":" + page.jobs.back().id;
  }
  return page;
}

StatusOr<JobPage> QueueInspector::ListRedis(const JobFilter& filter, int page_size,
                                            int64_t max_created, const std::string& after_id) {
  const std::string max = max_created < 0 ? "+inf" : std::to_string(max_created);
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
  c.Append({"ZCARD", keys::HistoryOutbox()});
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
  m.history_backlog = r[14].Integer();
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
