// COLLECTING_DATA: builds one table per data source the template declares.
// Sources are inline for now; real sources and the cache come with the data
// collection work.
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
      auto table = BuildInlineTable(source);
      if (!table.ok()) {
        return Status(table.status().code(),
                      "source '" + source.name + "': " + table.status().message());
      }
      ctx.data.tables[source.name] = std::move(*table);
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeCollectStage() { return std::make_unique<CollectStage>(); }

}  // namespace quire
