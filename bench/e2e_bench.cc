// e2e_bench: the queue workload through the whole system — quire-gateway
// over gRPC, two quire-worker processes running the real pipeline — on a
// scratch Redis. Each job renders the smallest real report (a title and a
// one-row table to PDF), so "processed" includes the pipeline's own cost.
// Prints:
//   quire_e2e submit_single_jobs_per_s=<v>   (SubmitJob, one call per job)
//   quire_e2e submit_batch_jobs_per_s=<v>    (SubmitJobs, 1,000 per call)
//   quire_e2e processed_jobs_per_s=<v>       (first start to last finish)
//   quire_e2e latency_ms p50=<v> p90=<v> p99=<v> max=<v>  (submit → start
//     at 50 jobs/s, from the job's started_at; both clocks are this host's)
// Starts and stops its own gateway and workers (by pid); the Redis it is
// pointed at is emptied first.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/queue/queue_inspector.h"
#include "common/queue/redis_client.h"
#include "quire/v1/jobs.grpc.pb.h"
#include "quire/v1/ops.grpc.pb.h"
#include "quire/v1/templates.grpc.pb.h"
#include "tests/support/test_servers.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = quire::v1;
namespace qt = quire::testing;

constexpr const char* kTemplate = R"(id: noop
title: "No-op report"
sources:
  one:
    kind: inline
    columns: [{name: k, type: text}, {name: v, type: int}]
    rows: [[a, 1]]
sections:
  - table: {source: one}
outputs: [pdf]
)";

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

v1::SubmitJobRequest Request(int seq) {
  v1::SubmitJobRequest r;
  r.set_template_id("noop");
  r.set_submitter("e2e_bench-" + std::to_string(seq));
  return r;
}

int64_t Completed(v1::OpsService::Stub& ops) {
  grpc::ClientContext ctx;
  v1::Metrics m;
  if (!ops.GetMetrics(&ctx, v1::GetMetricsRequest(), &m).ok()) return -1;
  return m.completed_total() + m.failed_total();
}

void WaitDrained(v1::OpsService::Stub& ops, int64_t target) {
  auto deadline = Clock::now() + std::chrono::minutes(10);
  while (Completed(ops) < target) {
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "e2e_bench: jobs did not finish in 10 minutes\n");
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"e2e_bench: Quire end to end over gRPC with worker processes"};
  int redis_port = 0, jobs = 5000, concurrency = 4, latency_jobs = 300;
  app.add_option("--redis-port", redis_port, "Scratch Redis on 127.0.0.1 (emptied)")->required();
  app.add_option("--jobs", jobs)->capture_default_str();
  app.add_option("--concurrency", concurrency, "Per worker process")->capture_default_str();
  app.add_option("--latency-jobs", latency_jobs)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  quire::RedisOptions ro;
  ro.port = redis_port;
  quire::RedisPool pool(ro);
  {
    auto c = pool.Borrow();
    if (!c.ok() || !(*c)->Command({"FLUSHALL"}).ok()) {
      std::fprintf(stderr, "e2e_bench: cannot reach redis on port %d\n", redis_port);
      return 1;
    }
  }
  qt::TempDir dir;
  int grpc_port = qt::FreePort();
  std::vector<std::string> common = {"--set", "redis.port=" + std::to_string(redis_port),
                                     "--set", "artifacts.dir=" + dir.path() + "/artifacts",
                                     "--set", "log.level=warn"};
  std::vector<std::string> gw = {qt::GatewayBinary(), "--set",
                                 "gateway.listen=127.0.0.1:" + std::to_string(grpc_port), "--set",
                                 "gateway.metrics_listen="};
  gw.insert(gw.end(), common.begin(), common.end());
  qt::ChildProcess gateway(gw, dir.path() + "/gateway.log");
  if (!qt::WaitForPort(grpc_port, std::chrono::seconds(10))) {
    std::fprintf(stderr, "e2e_bench: gateway did not start\n");
    return 1;
  }
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port),
                                     grpc::InsecureChannelCredentials());
  v1::JobService::Stub job_stub(channel);
  v1::TemplateService::Stub tpl_stub(channel);
  v1::OpsService::Stub ops(channel);
  {
    grpc::ClientContext ctx;
    v1::PutTemplateRequest req;
    req.set_yaml(kTemplate);
    v1::PutTemplateResponse resp;
    grpc::Status s = tpl_stub.PutTemplate(&ctx, req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "e2e_bench: PutTemplate: %s\n", s.error_message().c_str());
      return 1;
    }
  }

  // Enqueue with no worker running: one call per job, then batched.
  int half = jobs / 2;
  auto t0 = Clock::now();
  for (int i = 0; i < half; ++i) {
    grpc::ClientContext ctx;
    v1::SubmitJobResponse resp;
    if (!job_stub.SubmitJob(&ctx, Request(i), &resp).ok()) return 1;
  }
  double single = half / std::chrono::duration<double>(Clock::now() - t0).count();
  auto t1 = Clock::now();
  for (int i = half; i < jobs; i += 1000) {
    grpc::ClientContext ctx;
    v1::SubmitJobsRequest req;
    for (int k = i; k < std::min(jobs, i + 1000); ++k) *req.add_jobs() = Request(k);
    v1::SubmitJobsResponse resp;
    if (!job_stub.SubmitJobs(&ctx, req, &resp).ok()) return 1;
  }
  double batch = (jobs - half) / std::chrono::duration<double>(Clock::now() - t1).count();
  std::printf("quire_e2e submit_single_jobs_per_s=%.0f\n", single);
  std::printf("quire_e2e submit_batch_jobs_per_s=%.0f\n", batch);
  std::fflush(stdout);

  // Drain with two worker processes.
  std::vector<std::unique_ptr<qt::ChildProcess>> workers;
  auto start = Clock::now();
  for (int w = 0; w < 2; ++w) {
    std::vector<std::string> wa = {qt::WorkerBinary(), "--concurrency",
                                   std::to_string(concurrency)};
    wa.insert(wa.end(), common.begin(), common.end());
    workers.push_back(std::make_unique<qt::ChildProcess>(
        wa, dir.path() + "/worker" + std::to_string(w) + ".log"));
  }
  WaitDrained(ops, jobs);
  double processed = jobs / std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("quire_e2e processed_jobs_per_s=%.0f  (includes worker start-up)\n", processed);
  std::fflush(stdout);

  // Light steady load: 50 jobs/s, latency from submit to the job's start.
  std::vector<std::pair<std::string, int64_t>> submitted;
  auto lstart = Clock::now();
  for (int i = 0; i < latency_jobs; ++i) {
    std::this_thread::sleep_until(lstart + std::chrono::milliseconds(20 * i));
    grpc::ClientContext ctx;
    v1::SubmitJobResponse resp;
    int64_t before = WallMs();
    if (!job_stub.SubmitJob(&ctx, Request(i), &resp).ok()) return 1;
    submitted.emplace_back(resp.job_id(), before);
  }
  WaitDrained(ops, jobs + latency_jobs);
  std::vector<double> lat;
  for (const auto& [id, before] : submitted) {
    grpc::ClientContext ctx;
    v1::GetJobRequest req;
    req.set_job_id(id);
    v1::Job job;
    if (!job_stub.GetJob(&ctx, req, &job).ok()) return 1;
    int64_t started = job.started_at().seconds() * 1000 + job.started_at().nanos() / 1000000;
    lat.push_back(static_cast<double>(started - before));
  }
  std::printf("quire_e2e latency_ms p50=%.0f p90=%.0f p99=%.0f max=%.0f  (ms resolution)\n",
              quire::Quantile(lat, 0.5), quire::Quantile(lat, 0.9), quire::Quantile(lat, 0.99),
              quire::Quantile(lat, 1.0));
  for (auto& w : workers) w->Stop();
  gateway.Stop();
  return 0;
}
