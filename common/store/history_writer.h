// HistoryWriter: copies job records from Redis to the PostgreSQL history
// (history_store.h), in the background of every gateway configured with
// history.dsn.
//
// The Lua scripts put every job whose state changed in an outbox (a zset)
// while the writer's flag key exists (redis_keys.h, HistoryOn), and leave
// finished jobs without expiry. One writer at a time (a lock with a TTL;
// another gateway's writer takes over when the holder stops) reads a batch
// of the outbox, writes the records in one transaction, then acknowledges
// them: a job leaves the outbox only if it did not change meanwhile, and a
// finished one expires after the retention from then on. So:
//   - PostgreSQL down: records wait in Redis (the outbox grows, visible as
//     quire_history_backlog) and are written when it is back; none is lost.
//   - A writer killed between writing and acknowledging: the batch is
//     written again; rows only move forward (by `ver`), so that is harmless.
//
// Thread-safe: Start() runs the loop on its own thread; CopyOnce() may be
// called directly (tests, shutdown).
#pragma once

#include <chrono>
#include <string>

#include "common/base/background_loop.h"
#include "common/base/status.h"
#include "common/queue/redis_client.h"
#include "common/store/history_store.h"

namespace quire {

struct HistoryWriterOptions {
  // Names this writer in the lock; unique per process.
  std::string writer_id;
  // Records per transaction.
  int batch = 500;
  // Pause between rounds when the outbox is empty.
  std::chrono::milliseconds interval{200};
  // How long finished jobs stay in Redis once written (queue.retention_s).
  std::chrono::seconds retention{7 * 24 * 3600};
  // The lock's TTL: how soon another writer takes over from a dead one.
  std::chrono::milliseconds lock_ttl{10000};
  // The flag's TTL: with no writer left for this long, jobs expire from
  // Redis as if there were no history.
  std::chrono::seconds flag_ttl{600};
};

class HistoryWriter {
 public:
  HistoryWriter(RedisPool* redis, HistoryStore* store, HistoryWriterOptions options);
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Raises the flag (so jobs changing from now on are kept for the
  // history), then starts the loop: migrate the schema (retried until
  // PostgreSQL answers), then copy the outbox round after round.
  void Start();
  // Ends the loop after one last round (so a gateway stopping cleanly
  // leaves nothing behind) and gives up the lock, so that another writer
  // takes over at once.
  void Stop();

  // Raises or refreshes the flag key.
  Status RaiseFlag();
  // One round, if this writer holds (or takes) the lock: copies up to
  // `batch` outbox entries. Returns how many records it wrote (0 when
  // another writer holds the lock or the outbox is empty).
  StatusOr<int> CopyOnce();

 private:
  void Loop();

  RedisPool* const redis_;
  HistoryStore* const store_;
  const HistoryWriterOptions options_;

  BackgroundLoop loop_;
};

}  // namespace quire
