// quire-gateway: the gRPC front service. Wires the services to Redis, adds
// health checking and reflection, serves Prometheus metrics over HTTP, and
// shuts down cleanly on SIGINT/SIGTERM.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <thread>

#include "common/base/config.h"
#include "common/base/logging.h"
#include "common/queue/job_queue.h"
#include "common/queue/queue_config.h"
#include "common/queue/queue_inspector.h"
#include "common/store/archived_templates.h"
#include "common/store/artifact_database.h"
#include "common/store/artifact_store.h"
#include "common/store/history_writer.h"
#include "common/store/stored_templates.h"
#include "report/data/collector.h"
#include "services/event_hub.h"
#include "services/job_service.h"
#include "services/ops_service.h"
#include "services/render_service.h"
#include "services/rpc_executor.h"
#include "services/schedule_service.h"
#include "services/template_service.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"quire-gateway: the Quire gRPC front service"};
  std::string config_path;
  std::vector<std::string> sets;
  std::string listen;
  app.add_option("-c,--config", config_path, "YAML config file (see deploy/quire.yaml)");
  app.add_option("--set", sets, "Override an option: key=value (repeatable)");
  app.add_option("--listen", listen, "gRPC listen address (gateway.listen)");
  CLI11_PARSE(app, argc, argv);
  if (!listen.empty()) sets.push_back("gateway.listen=" + listen);

  auto config = quire::Config::Load(config_path, sets);
  if (!config.ok()) {
    std::fprintf(stderr, "quire-gateway: %s\n", config.status().message().c_str());
    return 2;
  }
  quire::SetUpLogging("gateway", config->Get("log.level"), config->Get("log.format"));

  quire::RedisPool pool(quire::RedisOptionsFromConfig(*config), 64);
  quire::WarnAboutRedisSettings(pool);
  quire::JobQueue queue(&pool, quire::QueueOptionsFromConfig(*config));
  // The job history in PostgreSQL, when configured: a writer copies job
  // records there, and GetJob/ListJobs read jobs that have left Redis.
  std::unique_ptr<quire::HistoryStore> history;
  std::unique_ptr<quire::HistoryWriter> history_writer;
  if (!config->Get("history.dsn").empty()) {
    history = std::make_unique<quire::HistoryStore>(
        config->Get("history.dsn"), static_cast<int>(config->GetInt("history.pool_size")));
    quire::HistoryWriterOptions o;
    o.writer_id = "gateway-" + quire::HostAndPid();
    o.batch = std::max<int>(1, static_cast<int>(config->GetInt("history.batch")));
    o.interval = std::chrono::milliseconds(config->GetInt("history.interval_ms"));
    o.retention = quire::QueueOptionsFromConfig(*config).retention;
    history_writer = std::make_unique<quire::HistoryWriter>(&pool, history.get(), o);
    history_writer->Start();
  }
  quire::QueueInspector inspector(&pool, history.get());
  // With a history database, PostgreSQL keeps every template version and
  // Redis is its cache: refilled here, once the schema is there (the
  // history writer applies it too; a second time is a no-op).
  auto template_archive = quire::TemplateArchiveFromConfig(*config);
  quire::TemplateStore templates(&pool, template_archive.get());
  if (template_archive) {
    auto schema = history->Migrate();
    auto warmed = schema.ok() ? templates.Warm() : schema.status();
    if (warmed.ok()) {
      spdlog::info("templates: {} version(s) restored into Redis, {} copied into PostgreSQL",
                   warmed->restored, warmed->imported);
    } else {
      spdlog::warn("templates: not restored into Redis: {}", warmed.status().message());
    }
  }
  auto artifact_db = quire::ArtifactDatabaseFromConfig(*config);
  if (!artifact_db.ok()) {
    std::fprintf(stderr, "quire-gateway: %s\n", artifact_db.status().message().c_str());
    return 2;
  }
  quire::ArtifactStore artifacts(config->Get("artifacts.dir"), artifact_db->get());
  quire::EventHub hub(quire::RedisOptionsFromConfig(*config));
  hub.Start();
  quire::ScheduleStore schedules(&pool);

  // Every Redis and PostgreSQL call of an rpc runs on these threads, never
  // on gRPC's callback threads. Declared after what its calls use and before
  // the services and the server: Server::Shutdown waits for the calls it
  // still runs, and the executor is destroyed after the server.
  const int64_t store_threads = config->GetInt("gateway.store_threads");
  const int64_t store_queue = config->GetInt("gateway.store_queue");
  if (store_threads < 1 || store_threads > 1024 || store_queue < 0 || store_queue > 1000000) {
    std::fprintf(stderr,
                 "quire-gateway: gateway.store_threads must be 1..1024 (got %lld) and "
                 "gateway.store_queue 0..1000000 (got %lld)\n",
                 static_cast<long long>(store_threads), static_cast<long long>(store_queue));
    return 2;
  }
  quire::RpcExecutorOptions store_options;
  store_options.threads = static_cast<int>(store_threads);
  store_options.max_queued = static_cast<int>(store_queue);
  store_options.busy_message =
      "the gateway has " + std::to_string(store_options.max_queued) +
      " calls waiting for Redis or PostgreSQL (gateway.store_queue); retry shortly, and if this "
      "lasts, look at Redis and PostgreSQL latency or raise gateway.store_threads";
  quire::RpcExecutor store_calls(store_options);

  quire::JobServiceOptions job_options;
  job_options.max_batch = static_cast<int>(config->GetInt("gateway.max_batch"));
  quire::JobServiceImpl jobs(&queue, &inspector, &templates, &hub, &artifacts, &store_calls,
                             job_options);
  // The sources ValidateTemplate's test_sources fetches: the same data.*,
  // http.* and postgres.* options as the workers', without the cache.
  auto collector_options = quire::CollectorOptions::FromConfig(*config);
  if (!collector_options.ok()) {
    std::fprintf(stderr, "quire-gateway: %s\n", collector_options.status().message().c_str());
    return 2;
  }
  quire::SourceCollector sources(std::move(*collector_options));
  quire::TemplateServiceImpl template_service(&templates, &store_calls, &sources);
  quire::OpsServiceImpl ops(&inspector, &queue, &store_calls);
  quire::ScheduleServiceImpl schedule_service(&schedules, &templates, &store_calls);
  quire::SchedulerOptions scheduler_options;
  scheduler_options.tick =
      std::chrono::milliseconds(std::max<int64_t>(10, config->GetInt("schedule.tick_ms")));
  quire::Scheduler scheduler(&schedules, &templates, &queue, scheduler_options);
  quire::RenderServiceOptions render_options;
  render_options.threads = static_cast<int>(config->GetInt("gateway.render_threads"));
  render_options.max_queued = static_cast<int>(config->GetInt("gateway.render_queue"));
  quire::RenderServiceImpl render(render_options);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(config->Get("gateway.listen"), grpc::InsecureServerCredentials(),
                           &bound_port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config->GetInt("gateway.max_request_bytes")));
  builder.RegisterService(&jobs);
  builder.RegisterService(&template_service);
  builder.RegisterService(&ops);
  builder.RegisterService(&render);
  builder.RegisterService(&schedule_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    spdlog::critical("cannot listen on {}", config->Get("gateway.listen"));
    return 1;
  }
  scheduler.Start();
  spdlog::info("gateway listening on {} (port {}), redis {}:{}", config->Get("gateway.listen"),
               bound_port, config->Get("redis.host"), config->Get("redis.port"));

  httplib::Server http;
  std::thread http_thread;
  std::string metrics_listen = config->Get("gateway.metrics_listen");
  if (!metrics_listen.empty()) {
    http.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
      auto m = inspector.Metrics();
      if (!m.ok()) {
        res.status = 503;
        res.set_content(m.status().ToString() + "\n", "text/plain");
        return;
      }
      res.set_content(quire::PrometheusText(*m, jobs.active_watchers()),
                      "text/plain; version=0.0.4");
    });
    size_t colon = metrics_listen.rfind(':');
    std::string host = metrics_listen.substr(0, colon);
    int port = std::atoi(metrics_listen.substr(colon + 1).c_str());
    if (!http.bind_to_port(host.c_str(), port)) {
      spdlog::critical("cannot listen for metrics on {}", metrics_listen);
      return 1;
    }
    http_thread = std::thread([&] { http.listen_after_bind(); });
    spdlog::info("prometheus metrics on http://{}/metrics", metrics_listen);
  }

  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));

  spdlog::info("gateway stopping");
  // Streams first: they would otherwise hold Shutdown for its whole grace
  // period and then be cut; they end with UNAVAILABLE, which clients retry.
  hub.CloseAll();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  hub.Stop();
  scheduler.Stop();
  if (history_writer) history_writer->Stop();
  if (http_thread.joinable()) {
    http.stop();
    http_thread.join();
  }
  return 0;
}
