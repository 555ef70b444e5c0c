#include "cli/metrics_command.h"

#include <cstdio>

#include "cli/print.h"
#include "quire/v1/ops.grpc.pb.h"

namespace quire {
namespace {

int ShowMetrics(CliContext& cli) {
  v1::Metrics m;
  if (int rc = cli.Call(&v1::OpsService::Stub::GetMetrics, v1::GetMetricsRequest(), &m)) return rc;
  if (cli.json()) {
    PrintJson(m);
    return 0;
  }
  for (const auto& d : m.queue_depth()) {
    std::printf("queue %-7s %lld\n", v1::Priority_Name(d.priority()).c_str(),
                static_cast<long long>(d.depth()));
  }
  for (const auto& c : m.jobs_by_state()) {
    std::printf("jobs  %-9s %lld\n", v1::JobState_Name(c.state()).c_str(),
                static_cast<long long>(c.count()));
  }
  std::printf("submitted %lld  completed %lld  failed %lld  cancelled %lld  reclaimed %lld\n",
              static_cast<long long>(m.submitted_total()),
              static_cast<long long>(m.completed_total()), static_cast<long long>(m.failed_total()),
              static_cast<long long>(m.cancelled_total()),
              static_cast<long long>(m.reclaimed_total()));
  for (const auto& l : m.stage_latency()) {
    std::printf("stage %-18s p50 %8.1f ms  p95 %8.1f ms  p99 %8.1f ms  (%lld runs)\n",
                v1::Stage_Name(l.stage()).c_str(), l.p50_ms(), l.p95_ms(), l.p99_ms(),
                static_cast<long long>(l.samples()));
  }
  std::printf("live workers %lld\n", static_cast<long long>(m.live_workers()));
  for (const auto& src : m.sources()) {
    std::printf(
        "source %s/%s  hits %lld  misses %lld  fresh %lld  uncached %lld  errors %lld"
        "  mean fetch %.1f ms\n",
        src.template_id().c_str(), src.source().c_str(), static_cast<long long>(src.cache_hits()),
        static_cast<long long>(src.cache_misses()), static_cast<long long>(src.fresh_fetches()),
        static_cast<long long>(src.uncached_fetches()), static_cast<long long>(src.errors()),
        src.fetches() > 0 ? static_cast<double>(src.fetch_ms_total()) / src.fetches() : 0.0);
  }
  return 0;
}

}  // namespace

void RegisterMetricsCommand(CLI::App& app, CliContext& cli) {
  auto* metrics = app.add_subcommand("metrics", "Show queue and worker metrics");
  cli.OnRun(metrics, [&cli] { return ShowMetrics(cli); });
}

}  // namespace quire
