// COLLECTING_DATA: builds one table per data source the template declares,
// then the template's transforms over them (workers/data/transforms.h).
// Inline sources only for now (and the inline fallback of another kind);
// real sources and the cache come with the data collection work. Until
// then a non-inline source without a fallback fails the job with
// FAILED_PRECONDITION, unless it is optional: then it has no table, nor
// has a transform reading it, and their sections say "Data unavailable".
#include "workers/data/transforms.h"
#include "workers/pipeline.h"

namespace quire {
namespace {

class CollectStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kCollectingData; }
  int start_percent() const override { return 20; }
  Status Run(JobContext& ctx) override {
    for (const auto& source : ctx.resolved.tmpl.sources) {
      if (ctx.cancelled && ctx.cancelled()) return Status::Cancelled("cancelled while collecting");
      auto table = BuildLocalTable(ctx.resolved.tmpl, source);
      if (!table.ok()) return table.status();
      if (*table) ctx.data.tables[source.name] = std::move(**table);
    }
    return RunTransforms(ctx.resolved.tmpl, ctx.resolved.params, &ctx.data, ctx.cancelled);
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeCollectStage() { return std::make_unique<CollectStage>(); }

}  // namespace quire
