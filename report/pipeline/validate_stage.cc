// VALIDATING: resolves the job's template (stored version or inline),
// validates it and binds the parameter values — the same rules the gateway
// applied at submit time, applied again because the template store is the
// source of truth when the job actually runs.
#include "report/pipeline/pipeline.h"

namespace quire {
namespace {

class ValidateStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kValidating; }
  int start_percent() const override { return 5; }
  Status Run(JobContext& ctx) override {
    if (ctx.templates == nullptr && ctx.spec.inline_template.empty()) {
      return Status::FailedPrecondition("no template store to read template '" +
                                        ctx.spec.template_id + "' from");
    }
    auto resolved = ResolveJob(ctx.templates, ctx.spec);
    if (!resolved.ok()) {
      ctx.store_unavailable = resolved.status().code() == StatusCode::kUnavailable;
      return resolved.status();
    }
    ctx.resolved = std::move(*resolved);
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeValidateStage() { return std::make_unique<ValidateStage>(); }

}  // namespace quire
