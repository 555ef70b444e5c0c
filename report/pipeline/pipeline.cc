#include "report/pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace quire {

bool JobContext::Wants(std::string_view format) const {
  const auto& o = resolved.outputs;
  return std::find(o.begin(), o.end(), format) != o.end();
}

std::chrono::milliseconds StageLimits::For(Stage stage, const StageTimeouts& tmpl) const {
  switch (stage) {
    case Stage::kValidating:
      return tmpl.validate.value_or(validate);
    case Stage::kCollectingData:
      return tmpl.collect.value_or(collect);
    case Stage::kGeneratingCharts:
      return tmpl.charts.value_or(charts);
    case Stage::kRenderingReport:
      return tmpl.render.value_or(render);
    case Stage::kFinalizing:
      return tmpl.finalize.value_or(finalize);
    case Stage::kNone:
      break;
  }
  return validate;
}

namespace {

// "90 s", "1.5 s", "250 ms".
std::string Seconds(std::chrono::milliseconds d) {
  if (d.count() < 1000) return std::to_string(d.count()) + " ms";
  return FormatDouble(static_cast<double>(d.count()) / 1000.0) + " s";
}

}  // namespace

Pipeline::Pipeline(std::function<Status(JobContext&)> commit) {
  stages_.push_back(MakeValidateStage());
  stages_.push_back(MakeCollectStage());
  stages_.push_back(MakeChartStage());
  stages_.push_back(MakeRenderStage());
  stages_.push_back(MakeFinalizeStage(std::move(commit)));
}

Status Pipeline::Run(JobContext& ctx, ProgressSink& sink) {
  using Steady = std::chrono::steady_clock;
  if (!ctx.cancelled) ctx.cancelled = [&sink] { return sink.StopRequested(); };
  const std::function<bool()> stop_requested = ctx.cancelled;
  for (const auto& stage : stages_) {
    const char* name = StageName(stage->id());
    QUIRE_RETURN_IF_ERROR(sink.Report(stage->id(), stage->start_percent()));
    // The stage's end: its limit, or the job's deadline when that is sooner.
    const auto limit = ctx.limits.For(stage->id(), ctx.resolved.tmpl.timeouts);
    const auto start = Steady::now();
    auto end = start + limit;
    bool job_deadline_first = false;
    if (ctx.deadline) {
      const auto left = *ctx.deadline - std::chrono::system_clock::now();
      if (left <= std::chrono::system_clock::duration::zero()) {
        return Status(StatusCode::kDeadlineExceeded,
                      std::string("the job's deadline passed before ") + name);
      }
      if (start + left < end) {
        end = start + std::chrono::duration_cast<Steady::duration>(left);
        job_deadline_first = true;
      }
    }
    ctx.cancelled = [&stop_requested, end] { return stop_requested() || Steady::now() >= end; };
    Status s = stage->Run(ctx);
    ctx.cancelled = stop_requested;
    double ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
    if (!s.ok() && Steady::now() >= end && !stop_requested()) {
      s = job_deadline_first ? Status(StatusCode::kDeadlineExceeded,
                                      std::string("the job's deadline passed during ") + name)
                             : Status(StatusCode::kDeadlineExceeded,
                                      std::string(name) + " took longer than its limit of " +
                                          Seconds(limit) + " and was stopped");
      spdlog::warn("{}", s.message());
      return s;
    }
    if (!s.ok()) {
      if (s.code() == StatusCode::kCancelled) return s;
      spdlog::warn("stage {} failed after {:.1f} ms: {}", name, ms, s.ToString());
      return Status(s.code(), std::string(name) + ": " + s.message());
    }
    spdlog::debug("stage {} done in {:.1f} ms", name, ms);
    if (sink.StopRequested()) return Status::Cancelled("stopped after " + std::string(name));
  }
  return Status::OK();
}

}  // namespace quire
