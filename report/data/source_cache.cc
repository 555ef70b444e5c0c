// SourceCache: the Redis entries, the single-flight lock and the counters.
//
// A fetch for an uncached key: SET lock NX PX fetch_limit. The holder
// fetches, stores the table (SET entry EX ttl) and releases the lock
// (RELEASE_CACHE_LOCK, which also leaves a failed fetch's error under
// the holder's token). Everyone else polls entry, lock and that error key
// until one of them says how it ended; a lock that vanished without either
// (its holder crashed and the TTL ran out) is contended for again.
#include "report/data/source_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/queue/lua_script.h"
#include "common/queue/redis_keys.h"
#include "common/table/table_codec.h"

namespace quire {
namespace {

using Steady = std::chrono::steady_clock;

std::string NewToken() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// "CODE\nmessage" <-> Status, for the failure key.
std::string EncodeFailure(const Status& s) {
  return std::to_string(static_cast<int>(s.code())) + "\n" + s.message();
}

Status DecodeFailure(const std::string& text) {
  const size_t nl = text.find('\n');
  const int code = std::atoi(text.substr(0, nl).c_str());
  const std::string message = nl == std::string::npos ? text : text.substr(nl + 1);
  if (code <= 0 || code > static_cast<int>(StatusCode::kUnauthenticated)) {
    return Status::Internal(message);
  }
  return Status(static_cast<StatusCode>(code), message);
}

// RELEASE_CACHE_LOCK: ends a single-flight fetch of a data source. Only
// the lock's holder releases it (a holder whose lock expired and was taken
// over leaves the new holder's alone). A failed fetch leaves its error for
// the jobs that waited on it.
//   KEYS[1] lock  KEYS[2] failure key of this token
//   ARGV[1] token  ARGV[2] "CODE\nmessage" of a failed fetch, or ""
//   ARGV[3] how long the failure is kept, ms
// Result: 1 released, 0 the lock was no longer this token's.
constexpr const char* kReleaseCacheLock = R"lua(
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua";

const LuaScript& ReleaseCacheLockScript() {
  static const LuaScript script = MakeScript("release_cache_lock", kReleaseCacheLock);
  return script;
}

}  // namespace

std::string SourceCacheKey(const std::string& template_id, int64_t template_version,
                           const SourceSpec& source, const ParamValues& params) {
  nlohmann::json def = {{"template", template_id},
                        {"version", template_version},
                        {"kind", SourceKindName(source.kind)},
                        {"connection", source.connection},
                        {"query", source.query},
                        {"bind", source.bind_params},
                        {"path", source.path},
                        {"delimiter", std::string(1, source.delimiter)},
                        {"header", source.header},
                        {"pointer", source.pointer},
                        {"url", source.url},
                        {"method", source.method},
                        {"headers", source.headers},
                        {"body", source.body}};
  nlohmann::json columns = nlohmann::json::array();
  for (const ColumnSpec& c : source.columns) columns.push_back({c.name, ColumnTypeName(c.type)});
  def["columns"] = std::move(columns);
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [name, value] : params) values[name] = value.text;
  def["params"] = std::move(values);
  return Sha256Hex(def.dump());
}

const char* CacheOutcomeName(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::kHit:
      return "hits";
    case CacheOutcome::kMiss:
      return "misses";
    case CacheOutcome::kFresh:
      return "fresh";
    case CacheOutcome::kBypass:
      return "bypass";
  }
  return "bypass";
}

SourceCache::SourceCache(RedisPool* pool, SourceCacheOptions options)
    : pool_(pool), options_(options) {}

std::chrono::milliseconds SourceCache::TtlOf(const SourceSpec& source) const {
  if (source.kind == SourceKind::kInline) return std::chrono::milliseconds(0);
  return source.cache_ttl.value_or(options_.default_ttl);
}

void SourceCache::Store(RedisConnection& conn, const std::string& key, const Table& table,
                        std::chrono::milliseconds ttl) {
  std::string bytes = EncodeTable(table);
  if (bytes.size() > options_.max_entry_bytes) {
    spdlog::info("not caching a table of {} bytes (data.cache_max_bytes is {})", bytes.size(),
                 options_.max_entry_bytes);
    return;
  }
  auto r = conn.Command({"SET", keys::CacheEntry(key), std::move(bytes), "PX",
                         std::to_string(std::max<int64_t>(1, ttl.count()))});
  if (!r.ok()) spdlog::warn("storing a cached table failed: {}", r.status().ToString());
}

StatusOr<Table> SourceCache::GetOrFetch(const Lookup& lookup,
                                        const std::function<StatusOr<Table>()>& fetch,
                                        const std::function<bool()>& cancelled,
                                        CacheOutcome* outcome) {
  *outcome = CacheOutcome::kBypass;
  if (lookup.ttl.count() <= 0) return fetch();
  auto conn = pool_->Borrow();
  if (!conn.ok()) {
    spdlog::warn("source cache unavailable, fetching directly: {}", conn.status().ToString());
    return fetch();
  }
  RedisConnection& c = **conn;
  const std::string entry = keys::CacheEntry(lookup.key);
  const std::string lock = keys::CacheLock(lookup.key);

  if (lookup.fresh) {
    *outcome = CacheOutcome::kFresh;
    StatusOr<Table> table = fetch();
    if (table.ok()) Store(c, lookup.key, *table, lookup.ttl);
    return table;
  }

  // The entry as a table; nullopt when absent, unreadable (dropped) or
  // when Redis failed (then `broken`).
  bool broken = false;
  const auto decode = [&](const RedisReply& reply) -> std::optional<Table> {
    if (reply.IsNil() || reply.IsError() || reply.get() == nullptr) return std::nullopt;
    StatusOr<Table> table = DecodeTable(reply.String());
    if (table.ok()) return std::move(*table);
    spdlog::warn("dropping cache entry {}: {}", lookup.key, table.status().ToString());
    (void)c.Command({"DEL", entry});
    return std::nullopt;
  };
  const auto read_entry = [&]() -> std::optional<Table> {
    auto r = c.Command({"GET", entry});
    if (!r.ok()) {
      broken = true;
      return std::nullopt;
    }
    return decode(*r);
  };

  if (std::optional<Table> hit = read_entry()) {
    *outcome = CacheOutcome::kHit;
    return std::move(*hit);
  }
  const Steady::time_point give_up = Steady::now() + lookup.fetch_limit;
  while (!broken) {
    const std::string token = NewToken();
    auto taken = c.Command({"SET", lock, token, "NX", "PX",
                            std::to_string(std::max<int64_t>(1, lookup.fetch_limit.count()))});
    if (!taken.ok()) break;
    if (!taken->IsNil()) {
      // Ends this job's hold of the lock, leaving `failure` for the waiters.
      const auto release = [&](const std::string& failure) {
        auto released =
            RunScript(c, {&ReleaseCacheLockScript(),
                          {lock, keys::CacheFailure(lookup.key, token)},
                          {token, failure, std::to_string(options_.failure_ttl.count())}});
        if (!released.ok()) {
          spdlog::warn("releasing a cache lock failed: {}", released.status().ToString());
        }
      };
      // This job fetches for everyone. The entry may have landed between
      // the first read and taking the lock.
      if (std::optional<Table> hit = read_entry()) {
        release("");
        *outcome = CacheOutcome::kHit;
        return std::move(*hit);
      }
      *outcome = CacheOutcome::kMiss;
      StatusOr<Table> table = fetch();
      if (table.ok()) Store(c, lookup.key, *table, lookup.ttl);
      release(table.ok() ? "" : EncodeFailure(table.status()));
      return table;
    }
    // Another job is fetching: wait for its table or its error.
    auto holder = c.Command({"GET", lock});
    if (!holder.ok()) break;
    const std::string holder_token = holder->String();
    auto delay = std::chrono::milliseconds(2);
    while (true) {
      if (cancelled && cancelled())
        return Status::Cancelled("cancelled while waiting for a source");
      if (Steady::now() >= give_up) {
        spdlog::warn("waited {} ms for another job's fetch of a source; fetching it here",
                     lookup.fetch_limit.count());
        *outcome = CacheOutcome::kMiss;
        return fetch();
      }
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(50));
      c.Append({"GET", entry});
      c.Append({"GET", lock});
      c.Append({"GET", keys::CacheFailure(lookup.key, holder_token)});
      auto replies = c.Flush();
      if (!replies.ok()) {
        broken = true;
        break;
      }
      if (std::optional<Table> hit = decode((*replies)[0])) {
        *outcome = CacheOutcome::kHit;
        return std::move(*hit);
      }
      if (!(*replies)[2].IsNil() && !(*replies)[2].IsError()) {
        // The fetch this job waited for failed; its error is this job's.
        *outcome = CacheOutcome::kMiss;
        return DecodeFailure((*replies)[2].String());
      }
      if ((*replies)[1].IsNil() || (*replies)[1].String() != holder_token) break;  // contend again
    }
  }
  spdlog::warn("source cache unavailable, fetching directly");
  *outcome = CacheOutcome::kBypass;
  return fetch();
}

void SourceCache::Record(const std::string& template_id, const std::string& source,
                         CacheOutcome outcome, bool failed, std::chrono::milliseconds fetch_time) {
  auto conn = pool_->Borrow();
  if (!conn.ok()) return;
  const std::string stats = keys::SourceStats();
  const auto field = [&](const char* counter) {
    return keys::SourceStatsField(template_id, source, counter);
  };
  (*conn)->Append({"HINCRBY", stats, field(CacheOutcomeName(outcome)), "1"});
  if (outcome != CacheOutcome::kHit) {
    (*conn)->Append({"HINCRBY", stats, field("fetches"), "1"});
    (*conn)->Append({"HINCRBY", stats, field("fetch_ms"), std::to_string(fetch_time.count())});
  }
  if (failed) (*conn)->Append({"HINCRBY", stats, field("errors"), "1"});
  auto r = (*conn)->Flush();
  if (!r.ok()) spdlog::warn("recording source counters failed: {}", r.status().ToString());
}

}  // namespace quire
