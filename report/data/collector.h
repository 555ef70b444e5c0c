// SourceCollector: the COLLECTING_DATA work of one job — every data source
// of a template fetched concurrently (at most `max_parallel` at once), each
// by its kind (inline, csv, json, http, postgres), transient failures
// retried with exponential backoff and jitter, and what still fails handled
// as the template says: an inline `fallback` stands in, an `optional`
// source is left without a table (its sections say "data unavailable") and
// noted as a warning, anything else fails the job naming the source.
// With Redis, tables of non-inline sources are cached (source_cache.h:
// shared by all workers, single flight, TTL, fresh-data bypass) and every
// fetch is counted per template and source.
// One collector serves all of a worker's jobs (it owns the PostgreSQL
// pool); Collect is thread-safe. No rendering.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/config.h"
#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/data/http_source.h"
#include "report/data/source_cache.h"

namespace quire {

class PostgresPool;

struct CollectorOptions {
  std::string data_root = "./data";  // csv and json sources
  int max_parallel = 10;             // sources of one job fetched at once
  std::chrono::milliseconds default_timeout{30000};
  int retry_attempts = 3;                     // tries of a source whose failures are transient
  std::chrono::milliseconds retry_base{200};  // first retry delay; doubled each try, jittered
  HttpOptions http;
  std::map<std::string, std::string> postgres_dsns;  // connection name -> DSN
  int postgres_pool_size = 4;
  std::chrono::milliseconds statement_timeout{30000};
  SourceCacheOptions cache;

  // The data.*, http.* and postgres.* options. INVALID_ARGUMENT for a bad
  // host list, token list or connection list.
  static StatusOr<CollectorOptions> FromConfig(const Config& config);
};

// What a job adds to its sources' identity in the cache, and whether it
// wants fresh data.
struct CacheScope {
  int64_t template_version = 0;  // 0: an inline template
  bool fresh = false;
};

class SourceCollector {
 public:
  // Without `redis` nothing is cached or counted. `redis` must outlive the
  // collector.
  explicit SourceCollector(CollectorOptions options, RedisPool* redis = nullptr);
  ~SourceCollector();
  SourceCollector(const SourceCollector&) = delete;
  SourceCollector& operator=(const SourceCollector&) = delete;

  // Fetches every source of `tmpl` into `data` (by source name). Sources
  // that end without a table because they are optional add a line to
  // `warnings` saying why. The first failure of a required source is
  // returned, prefixed with the source's name; CANCELLED when `cancelled`
  // becomes true (checked between tries and inside fetches).
  Status Collect(const ReportTemplate& tmpl, const ParamValues& params,
                 const std::function<bool()>& cancelled, ReportData* data,
                 std::vector<std::string>* warnings, const CacheScope& scope = {});

  // One source with its retries (no fallback, no optional handling).
  StatusOr<Table> Fetch(const SourceSpec& source, const ParamValues& params,
                        const std::function<bool()>& cancelled);

 private:
  // Fetch through the cache, counted.
  StatusOr<Table> FetchCached(const ReportTemplate& tmpl, const SourceSpec& source,
                              const ParamValues& params, const CacheScope& scope,
                              const std::function<bool()>& cancelled);
  StatusOr<Table> FetchOnce(const SourceSpec& source, const ParamValues& params,
                            const std::function<bool()>& cancelled);

  const CollectorOptions options_;
  std::unique_ptr<PostgresPool> postgres_;  // null without configured connections
  std::unique_ptr<SourceCache> cache_;      // null without Redis
};

}  // namespace quire
