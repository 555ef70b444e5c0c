// ResolveJob: turns a submitted JobSpec into a runnable template and bound
// parameters — the stored template at its pinned version (or the inline
// one), parsed, validated, with parameter values checked and converted.
// Used by the gateway before a job is queued and by the worker's VALIDATING
// stage, so both apply exactly the same rules.
#pragma once

#include <cstdint>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/store/stored_templates.h"
#include "common/template/template.h"

namespace quire {

struct ResolvedJob {
  ReportTemplate tmpl;
  ParamValues params;
  // The stored version used; 0 for an inline template.
  int64_t template_version = 0;
  // INFO and WARNING findings (ERROR ones fail the resolution).
  std::vector<ValidationIssue> issues;
  // The formats to produce: the job's own, else the template's.
  std::vector<std::string> outputs;
};

// Parses `yaml` and fails with INVALID_ARGUMENT listing every blocking
// finding as "LINE:COL: severity: message [code] (path)".
StatusOr<ParseResult> ParseOrExplain(const std::string& yaml);

// NOT_FOUND for an unknown template or version; INVALID_ARGUMENT for a
// template with blocking findings, bad parameters, or unknown outputs.
StatusOr<ResolvedJob> ResolveJob(TemplateStore* store, const JobSpec& spec);

}  // namespace quire
