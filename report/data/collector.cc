// SourceCollector: concurrency, retries and the optional/fallback rules.
#include "report/data/collector.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "common/store/postgres_pool.h"
#include "report/data/file_source.h"
#include "report/data/postgres_source.h"
#include "report/data/source.h"

namespace quire {
namespace {

// "source 'x': ..." unless the message names the source already.
Status NameSource(const SourceSpec& source, const Status& s) {
  if (s.ok() || s.message().find("'" + source.name + "'") != std::string::npos) return s;
  return Status(s.code(), std::string(SourceKindName(source.kind)) + " source '" + source.name +
                              "': " + s.message());
}

// Sleeps `delay`, waking early when cancelled. False when cancelled.
bool SleepUnlessCancelled(std::chrono::milliseconds delay, const std::function<bool()>& cancelled) {
  const auto end = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < end) {
    if (cancelled && cancelled()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(20), std::chrono::duration_cast<std::chrono::milliseconds>(
                                           end - std::chrono::steady_clock::now())));
  }
  return !(cancelled && cancelled());
}

}  // namespace

StatusOr<CollectorOptions> CollectorOptions::FromConfig(const Config& config) {
  CollectorOptions o;
  o.data_root = config.Get("data.root");
  o.max_parallel =
      static_cast<int>(std::max<int64_t>(1, config.GetInt("data.max_parallel_sources")));
  o.default_timeout = std::chrono::milliseconds(config.GetInt("data.timeout_ms"));
  o.retry_attempts = static_cast<int>(std::max<int64_t>(1, config.GetInt("data.retry_attempts")));
  o.retry_base = std::chrono::milliseconds(config.GetInt("data.retry_base_ms"));
  auto hosts = ParseHostList(config.Get("http.allow_hosts"));
  if (!hosts.ok()) return Status::InvalidArgument("http.allow_hosts: " + hosts.status().message());
  o.http.allow_hosts = std::move(*hosts);
  o.http.max_response_bytes = static_cast<size_t>(config.GetInt("http.max_response_bytes"));
  auto tokens = ParseBearerTokens(config.Get("http.bearer_tokens"));
  if (!tokens.ok()) {
    return Status::InvalidArgument("http.bearer_tokens: " + tokens.status().message());
  }
  o.http.bearer_token_env = std::move(*tokens);
  auto dsns = ParsePostgresConnections(config.Get("postgres.connections"));
  if (!dsns.ok()) {
    return Status::InvalidArgument("postgres.connections: " + dsns.status().message());
  }
  o.postgres_dsns = std::move(*dsns);
  o.postgres_pool_size = static_cast<int>(config.GetInt("postgres.pool_size"));
  o.statement_timeout = std::chrono::milliseconds(config.GetInt("postgres.statement_timeout_ms"));
  o.cache.default_ttl =
      std::chrono::seconds(std::max<int64_t>(0, config.GetInt("data.cache_ttl_s")));
  o.cache.max_entry_bytes =
      static_cast<size_t>(std::max<int64_t>(0, config.GetInt("data.cache_max_bytes")));
  return o;
}

SourceCollector::SourceCollector(CollectorOptions options, RedisPool* redis)
    : options_(std::move(options)) {
  if (!options_.postgres_dsns.empty()) {
    postgres_ = std::make_unique<PostgresPool>(options_.postgres_dsns, options_.postgres_pool_size);
  }
  if (redis != nullptr) cache_ = std::make_unique<SourceCache>(redis, options_.cache);
}

SourceCollector::~SourceCollector() = default;

StatusOr<Table> SourceCollector::FetchOnce(const SourceSpec& source, const ParamValues& params,
                                           const std::function<bool()>& cancelled) {
  FetchContext ctx;
  ctx.params = &params;
  ctx.timeout = source.timeout.value_or(options_.default_timeout);
  ctx.cancelled = cancelled;
  switch (source.kind) {
    case SourceKind::kInline:
      return BuildInlineTable(source);
    case SourceKind::kCsv:
      return ReadCsvSource(source, options_.data_root, ctx);
    case SourceKind::kJson:
      return ReadJsonSource(source, options_.data_root, ctx);
    case SourceKind::kHttp:
      return FetchHttpSource(source, options_.http, ctx);
    case SourceKind::kPostgres:
      if (postgres_ == nullptr) {
        return Status::FailedPrecondition("connection '" + source.connection +
                                          "' is not configured (postgres.connections is empty)");
      }
      return FetchPostgresSource(source, *postgres_, ctx, options_.statement_timeout);
  }
  return Status::Internal("unknown source kind");
}

StatusOr<Table> SourceCollector::Fetch(const SourceSpec& source, const ParamValues& params,
                                       const std::function<bool()>& cancelled) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  Status last;
  for (int attempt = 1; attempt <= options_.retry_attempts; ++attempt) {
    StatusOr<Table> table = FetchOnce(source, params, cancelled);
    if (table.ok()) return table;
    last = table.status();
    if (!IsTransient(last) || attempt == options_.retry_attempts) break;
    const auto delay = std::chrono::milliseconds(static_cast<int64_t>(
        static_cast<double>(options_.retry_base.count() << (attempt - 1)) * jitter(rng)));
    if (!SleepUnlessCancelled(delay, cancelled))
      return Status::Cancelled("cancelled while retrying");
  }
  if (IsTransient(last) && options_.retry_attempts > 1) {
    last = Status(last.code(), last.message() + " (after " +
                                   std::to_string(options_.retry_attempts) + " tries)");
  }
  return NameSource(source, last);
}

StatusOr<Table> SourceCollector::FetchCached(const ReportTemplate& tmpl, const SourceSpec& source,
                                             const ParamValues& params, const CacheScope& scope,
                                             const std::function<bool()>& cancelled) {
  if (cache_ == nullptr || source.kind == SourceKind::kInline) {
    return Fetch(source, params, cancelled);
  }
  SourceCache::Lookup lookup;
  lookup.key = SourceCacheKey(tmpl.id, scope.template_version, source, params);
  lookup.ttl = cache_->TtlOf(source);
  lookup.fresh = scope.fresh;
  // Every try may run to its timeout, with the backoff between tries.
  const auto timeout = source.timeout.value_or(options_.default_timeout);
  lookup.fetch_limit = timeout * options_.retry_attempts +
                       options_.retry_base * 2 * (1 << std::min(options_.retry_attempts, 16)) +
                       std::chrono::seconds(5);
  const auto start = std::chrono::steady_clock::now();
  CacheOutcome outcome = CacheOutcome::kBypass;
  StatusOr<Table> table = cache_->GetOrFetch(
      lookup, [&] { return Fetch(source, params, cancelled); }, cancelled, &outcome);
  if (table.status().code() != StatusCode::kCancelled) {
    cache_->Record(tmpl.id, source.name, outcome, !table.ok(),
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start));
  }
  return table;
}

Status SourceCollector::Collect(const ReportTemplate& tmpl, const ParamValues& params,
                                const std::function<bool()>& cancelled, ReportData* data,
                                std::vector<std::string>* warnings, const CacheScope& scope) {
  const std::vector<SourceSpec>& sources = tmpl.sources;
  std::vector<StatusOr<Table>> results(sources.size(), Status::Internal("not fetched"));
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < sources.size();) {
      results[i] = cancelled && cancelled()
                       ? StatusOr<Table>(Status::Cancelled("cancelled"))
                       : FetchCached(tmpl, sources[i], params, scope, cancelled);
    }
  };
  const size_t threads =
      std::min(sources.size(), static_cast<size_t>(std::max(1, options_.max_parallel)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  if (cancelled && cancelled()) return Status::Cancelled("cancelled while collecting data");
  for (size_t i = 0; i < sources.size(); ++i) {
    const SourceSpec& source = sources[i];
    if (results[i].ok()) {
      data->tables[source.name] = std::move(*results[i]);
      continue;
    }
    const Status& failure = results[i].status();
    if (failure.code() == StatusCode::kCancelled) return failure;
    if (!source.fallback.empty()) {
      const SourceSpec* fallback = tmpl.FindSource(source.fallback);
      if (fallback != nullptr) {
        StatusOr<Table> table = BuildInlineTable(*fallback);
        if (table.ok()) {
          if (warnings) {
            warnings->push_back(failure.message() + "; using fallback '" + source.fallback + "'");
          }
          data->tables[source.name] = std::move(*table);
          continue;
        }
      }
    }
    if (source.optional) {
      if (warnings) warnings->push_back(failure.message() + "; its sections show no data");
      continue;
    }
    return failure;
  }
  return Status::OK();
}

}  // namespace quire
