// HistoryWriter: the outbox loop.
#include "common/store/history_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/queue/redis_keys.h"
#include "common/store/internal/store_scripts.h"

namespace quire {

HistoryWriter::HistoryWriter(RedisPool* redis, HistoryStore* store, HistoryWriterOptions options)
    : redis_(redis), store_(store), options_(std::move(options)) {}

HistoryWriter::~HistoryWriter() { Stop(); }

Status HistoryWriter::RaiseFlag() {
  auto conn = redis_->Borrow();
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command(
      {"SET", keys::HistoryOn(), "1", "EX", std::to_string(options_.flag_ttl.count())});
  return r.ok() ? Status::OK() : r.status();
}

StatusOr<int> HistoryWriter::CopyOnce() {
  auto conn = redis_->Borrow();
  if (!conn.ok()) return conn.status();
  auto& c = **conn;
  auto held = RunScript(c, scripts::HistoryLock(options_.writer_id, options_.lock_ttl));
  if (!held.ok()) return held.status();
  if (held->Integer() != 1) return 0;

  auto ids = c.Command({"ZRANGE", keys::HistoryOutbox(), "0", std::to_string(options_.batch - 1)});
  if (!ids.ok()) return ids.status();
  if (ids->Size() == 0) return 0;
  std::vector<std::string> batch;
  for (size_t i = 0; i < ids->Size(); ++i) batch.push_back(ElementString(ids->Element(i)));
  for (const auto& id : batch) c.Append({"HGETALL", keys::Job(id)});
  auto replies = c.Flush();
  if (!replies.ok()) return replies.status();

  std::vector<std::map<std::string, std::string>> records;
  // id, ver as read: what HISTORY_ACK compares against.
  std::vector<std::pair<std::string, std::string>> read;
  for (size_t i = 0; i < batch.size(); ++i) {
    // A record of the wrong type reads as an error reply, a missing one as
    // empty: nothing to copy, and the acknowledgement drops its id.
    std::map<std::string, std::string> fields = FieldMap((*replies)[i].get());
    auto ver = fields.find("ver");
    read.emplace_back(batch[i], ver == fields.end() ? "0" : ver->second);
    if (fields.count("state") == 0) continue;
    fields["id"] = batch[i];  // a corrupt record may lack it
    records.push_back(std::move(fields));
  }
  if (Status s = store_->Write(records); !s.ok()) return s;
  auto acked = RunScript(c, scripts::HistoryAck(options_.retention, read));
  if (!acked.ok()) return acked.status();
  return static_cast<int>(records.size());
}

void HistoryWriter::Start() {
  if (Status s = RaiseFlag(); !s.ok()) {
    spdlog::warn("job history: cannot raise the history flag in Redis yet: {}", s.message());
  }
  loop_.Start([this] { Loop(); });
}

void HistoryWriter::Stop() { loop_.Stop(); }

void HistoryWriter::Loop() {
  using std::chrono::milliseconds;
  using Clock = std::chrono::steady_clock;
  bool migrated = false;
  milliseconds backoff{0};
  auto flag_due = Clock::now() + options_.flag_ttl / 20;
  int drain_rounds = 0;  // after Stop(): a few full batches at most
  std::string last_error;
  // Logs a failure when it differs from the last one, so an outage is one
  // line (and its end another), not one per round.
  auto failed = [&](const Status& s) {
    if (s.message() != last_error) spdlog::warn("{}; retrying", s.message());
    last_error = s.message();
    backoff = std::clamp(backoff * 2, milliseconds(100), milliseconds(5000));
  };
  auto recovered = [&] {
    if (!last_error.empty()) spdlog::info("job history: writing again");
    last_error.clear();
    backoff = milliseconds(0);
  };
  for (;;) {
    const bool stopping = loop_.stopping();
    if (Clock::now() >= flag_due) {
      if (RaiseFlag().ok()) flag_due = Clock::now() + options_.flag_ttl / 20;
    }
    if (!migrated) {
      auto version = store_->Migrate();
      if (!version.ok()) {
        if (stopping) break;
        failed(version.status());
        loop_.SleepFor(backoff);
        continue;
      }
      spdlog::info("job history: schema at version {}", *version);
      migrated = true;
    }
    auto copied = CopyOnce();
    if (!copied.ok()) {
      if (stopping) break;
      failed(copied.status());
      loop_.SleepFor(backoff);
      continue;
    }
    recovered();
    if (stopping) {
      if (*copied == options_.batch && ++drain_rounds < 20) continue;  // drain what is there
      break;
    }
    if (*copied < options_.batch) loop_.SleepFor(options_.interval);
  }
  // Hand the lock over at once instead of after its TTL.
  if (auto conn = redis_->Borrow(); conn.ok()) {
    (void)(*conn)->Command({"EVAL",
                            "if redis.call('GET', KEYS[1]) == ARGV[1] then "
                            "return redis.call('DEL', KEYS[1]) end return 0",
                            "1", keys::HistoryLock(), options_.writer_id});
  }
}

}  // namespace quire
