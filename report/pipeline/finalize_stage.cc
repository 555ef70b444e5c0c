// FINALIZING: hands the written files to their final home (the artifact
// store in a worker, the output directory for `quirectl render`).
#include "report/pipeline/pipeline.h"

namespace quire {
namespace {

class FinalizeStage final : public PipelineStage {
 public:
  explicit FinalizeStage(std::function<Status(JobContext&)> commit) : commit_(std::move(commit)) {}
  Stage id() const override { return Stage::kFinalizing; }
  int start_percent() const override { return 90; }
  Status Run(JobContext& ctx) override { return commit_ ? commit_(ctx) : Status::OK(); }

 private:
  std::function<Status(JobContext&)> commit_;
};

}  // namespace

std::unique_ptr<PipelineStage> MakeFinalizeStage(std::function<Status(JobContext&)> commit) {
  return std::make_unique<FinalizeStage>(std::move(commit));
}

}  // namespace quire
