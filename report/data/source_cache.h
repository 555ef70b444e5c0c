// SourceCache: data sources' tables cached in Redis, shared by every worker.
//
// An entry's key is a hash of what determines the table: the template id
// and version, the source's definition and the job's resolved parameters
// (SourceCacheKey). Entries expire after the source's `cache_ttl` or the
// configured default. When many jobs need the same uncached source at once
// — on one worker or many — one of them fetches it and the others wait for
// its result (single flight, through a lock key with a TTL, so a crashed
// fetcher delays the others by at most that TTL). A job may ask for fresh
// data: it fetches, and refreshes the entry for the jobs after it.
//
// The cache never fails a job by itself: when Redis cannot be reached, or
// an entry cannot be decoded, the source is fetched as if uncached.
// Thread-safe. Counters per template and source (hits, misses, fresh,
// errors, fetches, fetch time) go to one Redis hash (keys::SourceStats),
// which the gateway's metrics read (queue_inspector.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/queue/redis_client.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

struct SourceCacheOptions {
  // TTL of sources without their own `cache_ttl`; 0 caches none of them.
  std::chrono::seconds default_ttl{300};
  // Tables whose encoding is larger are not cached.
  size_t max_entry_bytes = 32 << 20;
  // How long jobs that waited on a failed fetch still learn its error.
  std::chrono::milliseconds failure_ttl{10000};
};

// The hex key of `source` fetched for a job of template `template_id` at
// `template_version` (0: inline) with `params`.
std::string SourceCacheKey(const std::string& template_id, int64_t template_version,
                           const SourceSpec& source, const ParamValues& params);

// How a source's table was obtained.
enum class CacheOutcome {
  kHit,     // from the cache (also after waiting on another job's fetch)
  kMiss,    // fetched by this job and stored
  kFresh,   // fetched because the job asked for fresh data
  kBypass,  // fetched without the cache (TTL 0, inline, Redis unreachable)
};
const char* CacheOutcomeName(CacheOutcome outcome);  // "hit", "miss", ...

class SourceCache {
 public:
  // `pool` must outlive the cache.
  SourceCache(RedisPool* pool, SourceCacheOptions options);

  struct Lookup {
    std::string key;  // SourceCacheKey
    std::chrono::milliseconds ttl{0};
    bool fresh = false;
    // How long a fetch may take (its timeout × tries, plus backoff): the
    // lock's TTL, and how long others wait before fetching themselves.
    std::chrono::milliseconds fetch_limit{60000};
  };

  // The table for `lookup.key`: from the cache, from another job's
  // concurrent fetch, or from `fetch` (whose table is then stored). A
  // failed fetch's error is returned as it is, also to the jobs that
  // waited on it. CANCELLED when `cancelled` turns true while waiting.
  StatusOr<Table> GetOrFetch(const Lookup& lookup, const std::function<StatusOr<Table>()>& fetch,
                             const std::function<bool()>& cancelled, CacheOutcome* outcome);

  // The TTL of `source`'s entries: its own, else the default.
  std::chrono::milliseconds TtlOf(const SourceSpec& source) const;

  // Adds one fetch of `source` to its counters. Best effort: Redis errors
  // are logged, not returned.
  void Record(const std::string& template_id, const std::string& source, CacheOutcome outcome,
              bool failed, std::chrono::milliseconds fetch_time);

 private:
  // Stores `table` under `key` unless it is too large.
  void Store(RedisConnection& conn, const std::string& key, const Table& table,
             std::chrono::milliseconds ttl);

  RedisPool* const pool_;
  const SourceCacheOptions options_;
};

}  // namespace quire
