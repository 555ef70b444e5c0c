#include "common/resolved_job.h"

namespace quire {

StatusOr<ParseResult> ParseOrExplain(const std::string& yaml) {
  ParseResult parsed = ParseTemplate(yaml);
  if (!HasBlockingIssues(parsed.issues) && parsed.tmpl.has_value()) return parsed;
  std::string msg = "template is invalid:";
  for (const auto& issue : parsed.issues) {
    if (issue.severity >= Severity::kError) msg += "\n  " + FormatIssue(issue);
  }
  return Status::InvalidArgument(msg);
}

StatusOr<ResolvedJob> ResolveJob(TemplateStore* store, const JobSpec& spec) {
  ResolvedJob job;
  std::string yaml = spec.inline_template;
  if (yaml.empty()) {
    auto stored = store->Get(spec.template_id, spec.template_version);
    if (!stored.ok()) return stored.status();
    yaml = stored->yaml;
    job.template_version = stored->version;
  }
  auto parsed = ParseOrExplain(yaml);
  if (!parsed.ok()) return parsed.status();
  job.tmpl = std::move(*parsed->tmpl);
  job.issues = std::move(parsed->issues);
  auto params = ResolveParameters(job.tmpl, spec.params);
  if (!params.ok()) return params.status();
  job.params = std::move(*params);
  if (spec.outputs.empty()) {
    for (auto f : job.tmpl.outputs) job.outputs.push_back(OutputFormatName(f));
  } else {
    for (const auto& name : spec.outputs) {
      if (!OutputFormatFromName(name).has_value()) {
        return Status::InvalidArgument("unknown output format '" + name + "'");
      }
      job.outputs.push_back(name);
    }
  }
  return job;
}

}  // namespace quire
