// quire-worker: leases report jobs from Redis and runs them. Stops
// gracefully on SIGINT/SIGTERM: no new leases, running jobs finish.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <thread>

#include "common/base/config.h"
#include "common/base/logging.h"
#include "common/queue/job_queue.h"
#include "common/queue/queue_config.h"
#include "common/store/archived_templates.h"
#include "common/store/artifact_database.h"
#include "common/store/artifact_store.h"
#include "common/store/stored_templates.h"
#include "common/template/template.h"
#include "report/data/collector.h"
#include "workers/worker.h"

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"quire-worker: runs Quire report jobs"};
  std::string config_path;
  std::vector<std::string> sets;
  int concurrency = 0;
  app.add_option("-c,--config", config_path, "YAML config file (see deploy/quire.yaml)");
  app.add_option("--set", sets, "Override an option: key=value (repeatable)");
  app.add_option("--concurrency", concurrency, "Jobs run at once (worker.concurrency)");
  CLI11_PARSE(app, argc, argv);
  if (concurrency > 0) sets.push_back("worker.concurrency=" + std::to_string(concurrency));

  auto config = quire::Config::Load(config_path, sets);
  if (!config.ok()) {
    std::fprintf(stderr, "quire-worker: %s\n", config.status().message().c_str());
    return 2;
  }
  quire::SetUpLogging("worker", config->Get("log.level"), config->Get("log.format"));

  quire::WorkerOptions options;
  options.worker_id = config->Get("worker.id");
  if (options.worker_id.empty()) options.worker_id = quire::HostAndPid();
  options.concurrency = static_cast<int>(config->GetInt("worker.concurrency"));
  if (options.concurrency < 1 || options.concurrency > 1024) {
    std::fprintf(stderr, "quire-worker: worker.concurrency must be 1..1024\n");
    return 2;
  }
  options.extend_interval = std::chrono::milliseconds(config->GetInt("worker.lease_extend_ms"));
  options.drain_timeout = std::chrono::milliseconds(config->GetInt("worker.drain_timeout_ms"));
  options.retry.max_attempts = static_cast<int>(
      std::clamp<int64_t>(config->GetInt("queue.max_attempts"), 1, quire::kMaxAttempts));
  options.retry.base_delay = std::chrono::milliseconds(config->GetInt("queue.retry_base_ms"));
  options.retry.max_delay = std::chrono::milliseconds(config->GetInt("queue.retry_max_ms"));
  const auto seconds = [&](const char* key) {
    return std::chrono::milliseconds(1000 * std::max<int64_t>(1, config->GetInt(key)));
  };
  options.stage_limits.validate = seconds("timeouts.validate_s");
  options.stage_limits.collect = seconds("timeouts.collect_s");
  options.stage_limits.charts = seconds("timeouts.charts_s");
  options.stage_limits.render = seconds("timeouts.render_s");
  options.stage_limits.finalize = seconds("timeouts.finalize_s");
  auto collector_options = quire::CollectorOptions::FromConfig(*config);
  if (!collector_options.ok()) {
    std::fprintf(stderr, "quire-worker: %s\n", collector_options.status().message().c_str());
    return 2;
  }
  quire::RedisPool pool(quire::RedisOptionsFromConfig(*config), static_cast<size_t>(options.concurrency) + 4);
  quire::WarnAboutRedisSettings(pool);
  quire::SourceCollector sources(std::move(*collector_options), &pool);
  options.sources = &sources;

  quire::JobQueue queue(&pool, quire::QueueOptionsFromConfig(*config));
  // With a history database, templates Redis lost are read back from it.
  auto template_archive = quire::TemplateArchiveFromConfig(*config);
  quire::TemplateStore templates(&pool, template_archive.get());
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  auto artifact_db = quire::ArtifactDatabaseFromConfig(*config);
  if (!artifact_db.ok()) {
    std::fprintf(stderr, "quire-worker: %s\n", artifact_db.status().message().c_str());
    return 2;
  }
  if (*artifact_db) {
    // The table may not exist yet if no gateway ran: create it (once).
    for (int tries = 0;; ++tries) {
      quire::Status s = (*artifact_db)->Migrate();
      if (s.ok()) break;
      if (tries == 0) spdlog::warn("{}; retrying until PostgreSQL answers", s.message());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      if (g_stop) return 0;
    }
  }
  options.artifact_retention = std::chrono::seconds(config->GetInt("artifacts.retention_s"));
  options.cleanup_interval = std::chrono::milliseconds(
      std::max<int64_t>(1, config->GetInt("artifacts.cleanup_interval_s")) * 1000);
  quire::ArtifactStore artifacts(config->Get("artifacts.dir"), artifact_db->get());
  quire::Worker worker(&queue, &templates, &artifacts, options);

  worker.Start();
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("worker stopping: finishing running jobs");
  worker.Stop();
  spdlog::info("worker stopped: {} completed, {} failed, {} attempts retried",
               worker.jobs_completed(), worker.jobs_failed(), worker.attempts_retried());
  return 0;
}
