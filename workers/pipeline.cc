#include "workers/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace quire {

bool JobContext::Wants(std::string_view format) const {
  const auto& o = resolved.outputs;
  return std::find(o.begin(), o.end(), format) != o.end();
}

Pipeline::Pipeline(std::function<Status(JobContext&)> commit) {
  stages_.push_back(MakeValidateStage());
  stages_.push_back(MakeCollectStage());
  stages_.push_back(MakeChartStage());
  stages_.push_back(MakeRenderStage());
  stages_.push_back(MakeFinalizeStage(std::move(commit)));
}

Status Pipeline::Run(JobContext& ctx, ProgressSink& sink) {
  if (!ctx.cancelled) ctx.cancelled = [&sink] { return sink.StopRequested(); };
  for (const auto& stage : stages_) {
    QUIRE_RETURN_IF_ERROR(sink.Report(stage->id(), stage->start_percent()));
    auto start = std::chrono::steady_clock::now();
    Status s = stage->Run(ctx);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!s.ok()) {
      if (s.code() == StatusCode::kCancelled) return s;
      spdlog::warn("stage {} failed after {:.1f} ms: {}", StageName(stage->id()), ms, s.ToString());
      return Status(s.code(), std::string(StageName(stage->id())) + ": " + s.message());
    }
    spdlog::debug("stage {} done in {:.1f} ms", StageName(stage->id()), ms);
    if (sink.StopRequested())
      return Status::Cancelled("stopped after " + std::string(StageName(stage->id())));
  }
  return Status::OK();
}

}  // namespace quire
