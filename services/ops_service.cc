#include "services/ops_service.h"

#include <sstream>

#include "services/proto_convert.h"

namespace quire {

void ToProto(const QueueMetrics& m, v1::Metrics* out) {
  for (const auto& [p, depth] : m.depth) {
    auto* d = out->add_queue_depth();
    d->set_priority(static_cast<v1::Priority>(p));
    d->set_depth(depth);
  }
  for (const auto& [s, count] : m.by_state) {
    auto* c = out->add_jobs_by_state();
    c->set_state(static_cast<v1::JobState>(s));
    c->set_count(count);
  }
  out->set_submitted_total(m.submitted);
  out->set_completed_total(m.completed);
  out->set_failed_total(m.failed);
  out->set_cancelled_total(m.cancelled);
  out->set_reclaimed_total(m.reclaimed);
  out->set_retried_total(m.retried);
  out->set_requeued_total(m.requeued);
  for (const auto& l : m.latency) {
    auto* sl = out->add_stage_latency();
    sl->set_stage(static_cast<v1::Stage>(l.stage));
    sl->set_p50_ms(l.p50_ms);
    sl->set_p95_ms(l.p95_ms);
    sl->set_p99_ms(l.p99_ms);
    sl->set_samples(l.samples);
  }
  out->set_live_workers(m.live_workers);
  out->set_history_backlog(m.history_backlog);
  for (const SourceStats& s : m.sources) {
    auto* sm = out->add_sources();
    sm->set_template_id(s.template_id);
    sm->set_source(s.source);
    sm->set_cache_hits(s.hits);
    sm->set_cache_misses(s.misses);
    sm->set_fresh_fetches(s.fresh);
    sm->set_uncached_fetches(s.bypass);
    sm->set_errors(s.errors);
    sm->set_fetches(s.fetches);
    sm->set_fetch_ms_total(s.fetch_ms);
  }
}

std::string PrometheusText(const QueueMetrics& m, int watchers) {
  std::ostringstream o;
  o << "# HELP quire_queue_depth Jobs waiting, by priority.\n# TYPE quire_queue_depth gauge\n";
  for (const auto& [p, d] : m.depth) {
    o << "quire_queue_depth{priority=\"" << PriorityName(p) << "\"} " << d << "\n";
  }
  o << "# HELP quire_jobs Jobs by state (terminal states: totals).\n# TYPE quire_jobs gauge\n";
  for (const auto& [s, c] : m.by_state) {
    o << "quire_jobs{state=\"" << JobStateName(s) << "\"} " << c << "\n";
  }
  auto counter = [&](const char* name, const char* help, int64_t v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << v << "\n";
  };
  counter("quire_jobs_submitted_total", "Jobs submitted.", m.submitted);
  counter("quire_jobs_completed_total", "Jobs completed.", m.completed);
  counter("quire_jobs_failed_total", "Jobs failed.", m.failed);
  counter("quire_jobs_cancelled_total", "Jobs cancelled.", m.cancelled);
  counter("quire_leases_reclaimed_total", "Expired leases whose job was queued again.",
          m.reclaimed);
  counter("quire_attempts_retried_total",
          "Attempts that failed retryably and were scheduled again.", m.retried);
  counter("quire_jobs_requeued_total", "FAILED jobs sent back to their queue by RequeueJob.",
          m.requeued);
  o << "# HELP quire_stage_latency_ms Stage duration over recent runs.\n"
       "# TYPE quire_stage_latency_ms summary\n";
  for (const auto& l : m.latency) {
    const char* st = StageName(l.stage);
    o << "quire_stage_latency_ms{stage=\"" << st << "\",quantile=\"0.5\"} " << l.p50_ms << "\n"
      << "quire_stage_latency_ms{stage=\"" << st << "\",quantile=\"0.95\"} " << l.p95_ms << "\n"
      << "quire_stage_latency_ms{stage=\"" << st << "\",quantile=\"0.99\"} " << l.p99_ms << "\n"
      << "quire_stage_latency_ms_count{stage=\"" << st << "\"} " << l.samples << "\n";
  }
  o << "# HELP quire_live_workers Workers with a heartbeat in the last 10 s.\n"
       "# TYPE quire_live_workers gauge\nquire_live_workers "
    << m.live_workers << "\n";
  o << "# HELP quire_history_backlog Job records not yet copied to the PostgreSQL history.\n"
       "# TYPE quire_history_backlog gauge\nquire_history_backlog "
    << m.history_backlog << "\n";
  o << "# HELP quire_gateway_watch_streams Open WatchJob streams on this gateway.\n"
       "# TYPE quire_gateway_watch_streams gauge\nquire_gateway_watch_streams "
    << watchers << "\n";
  // One family per counter, one sample per template and source.
  const auto labels = [&](const SourceStats& s) {
    return "{template=\"" + s.template_id + "\",source=\"" + s.source + "\"} ";
  };
  const auto per_source = [&](const char* name, const char* help, int64_t SourceStats::*field) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (const SourceStats& s : m.sources) o << name << labels(s) << s.*field << "\n";
  };
  if (!m.sources.empty()) {
    per_source("quire_source_cache_hits_total",
               "Source tables read from the cache (also after another job's fetch).",
               &SourceStats::hits);
    per_source("quire_source_cache_misses_total", "Source tables not cached: fetched and stored.",
               &SourceStats::misses);
    per_source("quire_source_fresh_fetches_total",
               "Source fetches for jobs that asked for fresh data.", &SourceStats::fresh);
    per_source("quire_source_uncached_fetches_total",
               "Source fetches without the cache (TTL 0 or Redis unreachable).",
               &SourceStats::bypass);
    per_source("quire_source_errors_total", "Jobs that got no table from the source.",
               &SourceStats::errors);
    o << "# HELP quire_source_fetch_ms Time of source fetches (every outcome but a hit), in ms.\n"
         "# TYPE quire_source_fetch_ms summary\n";
    for (const SourceStats& s : m.sources) {
      o << "quire_source_fetch_ms_sum" << labels(s) << s.fetch_ms << "\n"
        << "quire_source_fetch_ms_count" << labels(s) << s.fetches << "\n";
    }
  }
  return o.str();
}

grpc::ServerUnaryReactor* OpsServiceImpl::GetMetrics(grpc::CallbackServerContext* ctx,
                                                     const v1::GetMetricsRequest*,
                                                     v1::Metrics* resp) {
  return store_calls_->Answer(ctx, [this, resp] {
    auto m = inspector_->Metrics();
    if (!m.ok()) return ToGrpc(m.status());
    ToProto(*m, resp);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* OpsServiceImpl::RequeueJob(grpc::CallbackServerContext* ctx,
                                                     const v1::RequeueJobRequest* req,
                                                     v1::RequeueJobResponse* resp) {
  if (req->job_id().empty()) {
    return Done(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "job_id is required"));
  }
  return store_calls_->Answer(ctx, [this, req, resp] {
    Status s = queue_->Requeue(req->job_id());
    if (s.ok()) resp->set_state(v1::QUEUED);
    return ToGrpc(s);
  });
}

}  // namespace quire
