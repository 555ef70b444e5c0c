#include "common/base/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>

namespace quire {
namespace {

void Flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      Flatten(kv.second, prefix.empty() ? key : prefix + "." + key, out);
    }
  } else if (node.IsScalar()) {
    (*out)[prefix] = node.as<std::string>();
  } else if (node.IsNull()) {
    (*out)[prefix] = "";
  }
}

}  // namespace

const std::vector<OptionDoc>& AllOptions() {
  static const std::vector<OptionDoc> kOptions = {
      {"redis.host", "127.0.0.1", "Redis server host."},
      {"redis.port", "6379", "Redis server port."},
      {"redis.password", "", "Redis password (AUTH); empty for none."},
      {"redis.timeout_ms", "2000", "Connect and command timeout, in milliseconds."},
      {"gateway.listen", "127.0.0.1:50051", "gRPC address the gateway listens on."},
      {"gateway.metrics_listen", "127.0.0.1:9464",
       "HTTP address of the Prometheus /metrics endpoint; empty to disable."},
      {"gateway.max_request_bytes", "4194304",
       "Largest accepted gRPC request, in bytes; larger ones get RESOURCE_EXHAUSTED."},
      {"gateway.max_batch", "1000", "Most jobs accepted in one SubmitJobs call."},
      {"gateway.render_threads", "2", "Threads drawing RenderChart images in the gateway."},
      {"gateway.render_queue", "64",
       "RenderChart calls that may wait for a render thread; more get RESOURCE_EXHAUSTED."},
      {"gateway.store_threads", "8",
       "Threads on which the gateway's rpcs wait for Redis and PostgreSQL (never gRPC's "
       "callback threads)."},
      {"gateway.store_queue", "512",
       "Calls that may wait for a store thread; more get RESOURCE_EXHAUSTED (a stream already "
       "open is never refused its next read)."},
      {"worker.concurrency", "4", "Jobs one worker process runs at once."},
      {"worker.id", "", "Worker id in metrics and job records; empty means host-pid."},
      {"worker.lease_extend_ms", "1000",
       "How often a worker extends its leases and checks for cancel requests, in ms."},
      {"worker.drain_timeout_ms", "30000",
       "On SIGTERM a worker stops leasing and lets running jobs finish this long (ms); then "
       "it stops them and gives them back to the queue, and exits."},
      {"queue.lease_ms", "30000",
       "Lease length in ms: a job whose worker stops extending it runs again after this."},
      {"queue.retention_s", "604800", "How long finished jobs stay in Redis, in seconds."},
      {"queue.aging_ms", "60000",
       "A job queued this long at its priority rises one level (LOW to NORMAL to HIGH to "
       "URGENT), so LOW jobs finish under any URGENT load; 0 turns aging off."},
      {"queue.max_lost_leases", "10",
       "A job whose worker stops while running it this many times (crash loop) is FAILED "
       "instead of queued again; 0 never gives up."},
      {"queue.max_attempts", "3",
       "Attempts of a job whose failures are retryable (timeouts, unreachable sources), unless "
       "the job or its template says otherwise."},
      {"queue.retry_base_ms", "10000",
       "Delay before a job's second attempt in ms; doubled for each later one, with jitter."},
      {"queue.retry_max_ms", "600000", "Longest delay between two attempts of a job, in ms."},
      {"timeouts.validate_s", "60", "Time limit of VALIDATING when the template sets none, in s."},
      {"timeouts.collect_s", "300",
       "Time limit of COLLECTING_DATA when the template sets none, in s."},
      {"timeouts.charts_s", "180",
       "Time limit of GENERATING_CHARTS when the template sets none, in s."},
      {"timeouts.render_s", "300",
       "Time limit of RENDERING_REPORT when the template sets none, in s."},
      {"timeouts.finalize_s", "30", "Time limit of FINALIZING when the template sets none, in s."},
      {"queue.idempotency_retention_s", "86400",
       "How long an idempotency key returns its job, in seconds."},
      {"artifacts.dir", "./.run/artifacts",
       "Directory the filesystem artifact store writes (and where runs stage their files)."},
      {"artifacts.store", "filesystem",
       "filesystem (artifacts.dir, shared by every machine) or postgres (the history.dsn "
       "database; no shared disk needed)."},
      {"artifacts.retention_s", "2592000",
       "How long artifacts are kept, in seconds (30 days); 0 keeps them forever."},
      {"artifacts.cleanup_interval_s", "60",
       "How often each worker removes artifacts past their retention, in seconds."},
      {"data.root", "./data",
       "Directory csv and json sources read from; paths that leave it are refused."},
      {"data.max_parallel_sources", "10", "Sources one job fetches at once."},
      {"data.timeout_ms", "30000", "Time limit of one fetch when the source sets none, in ms."},
      {"data.retry_attempts", "3",
       "Tries of a source whose failure is transient (timeouts, "
       "refused connections, HTTP 5xx/429)."},
      {"data.retry_base_ms", "200", "First retry delay in ms; doubled each try, with jitter."},
      {"data.cache_ttl_s", "300",
       "How long a fetched table stays cached in Redis when the source sets no cache_ttl; "
       "0 disables the cache."},
      {"data.cache_max_bytes", "33554432",
       "Largest table (encoded) the source cache stores; larger ones are fetched every time."},
      {"http.allow_hosts", "",
       "Hosts http sources may call, comma-separated (host or host:port); empty allows none."},
      {"http.max_response_bytes", "16777216", "Largest HTTP response body a source accepts."},
      {"http.bearer_tokens", "",
       "host=ENV_VAR pairs, comma-separated: requests to host carry 'Authorization: Bearer' "
       "with the value of that environment variable."},
      {"postgres.connections", "",
       "Named PostgreSQL connections for postgres sources: name=DSN pairs separated by ';'."},
      {"postgres.pool_size", "4", "Connections a worker keeps per named connection."},
      {"postgres.statement_timeout_ms", "30000",
       "statement_timeout of source queries when the source sets no timeout, in ms."},
      {"schedule.tick_ms", "1000",
       "How often each gateway looks for due runs of recurring schedules, in ms."},
      {"history.dsn", "",
       "PostgreSQL DSN of the job history and of every template version (libpq key=value or "
       "postgresql:// URI); empty: no history, jobs leave for good after queue.retention_s, "
       "templates live in Redis only."},
      {"history.pool_size", "4",
       "Connections a gateway keeps to the job history database (a worker: for templates)."},
      {"history.batch", "500", "Job records the history writer copies per transaction."},
      {"history.interval_ms", "200",
       "How often the history writer looks for changed jobs when it has caught up, in ms."},
      {"log.level", "info", "trace, debug, info, warn, error."},
      {"log.format", "text", "text or json (one JSON object per line)."},
  };
  return kOptions;
}

std::string EnvName(const std::string& key) {
  std::string env = "QUIRE_";
  for (char c : key) env += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return env;
}

StatusOr<Config> Config::Load(const std::string& path, const std::vector<std::string>& overrides) {
  Config c;
  for (const auto& o : AllOptions()) c.values_[o.key] = o.default_value;
  if (!path.empty()) {
    std::map<std::string, std::string> file;
    try {
      Flatten(YAML::LoadFile(path), "", &file);
    } catch (const YAML::BadFile&) {
      return Status::InvalidArgument("config file '" + path + "' cannot be read");
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument("config file " + path + ":" + std::to_string(e.mark.line + 1) +
                                     ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    for (const auto& [k, v] : file) {
      Status s = c.Set(k, v);
      if (!s.ok()) return Status::InvalidArgument("config file '" + path + "': " + s.message());
    }
  }
  for (const auto& o : AllOptions()) {
    if (const char* env = std::getenv(EnvName(o.key).c_str())) c.values_[o.key] = env;
  }
  for (const auto& kv : overrides) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("--set '" + kv + "': expected key=value");
    }
    QUIRE_RETURN_IF_ERROR(c.Set(kv.substr(0, eq), kv.substr(eq + 1)));
  }
  return c;
}

Status Config::Set(const std::string& key, const std::string& value) {
  if (values_.find(key) == values_.end()) {
    return Status::InvalidArgument("unknown option '" + key +
                                   "' (see deploy/quire.yaml for the options)");
  }
  values_[key] = value;
  return Status::OK();
}

std::string Config::Get(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

int64_t Config::GetInt(const std::string& key) const {
  return std::strtoll(Get(key).c_str(), nullptr, 10);
}

}  // namespace quire
