#include "common/resolve/resolved_job.h"

#include <map>
#include <memory>

#include "common/base/mutex.h"

namespace quire {
namespace {

// Parsed stored templates by (id, version). Stored versions never change,
// so an entry never goes stale; the cache only saves parsing the same YAML
// for every job (a batch of 1,000 jobs parses it once).
class ParsedTemplateCache {
 public:
  std::shared_ptr<const ParseResult> Find(const std::string& id, int64_t version) {
    MutexLock lock(&mu_);
    auto it = entries_.find({id, version});
    return it == entries_.end() ? nullptr : it->second;
  }
  void Insert(const std::string& id, int64_t version, std::shared_ptr<const ParseResult> parsed) {
    MutexLock lock(&mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_[{id, version}] = std::move(parsed);
  }

 private:
  static constexpr size_t kMaxEntries = 256;
  Mutex mu_;
  std::map<std::pair<std::string, int64_t>, std::shared_ptr<const ParseResult>> entries_
      GUARDED_BY(mu_);
};

ParsedTemplateCache& Cache() {
  static ParsedTemplateCache cache;
  return cache;
}

// The parsed stored template `id` at `version` (0: latest).
StatusOr<std::shared_ptr<const ParseResult>> ParseStored(TemplateStore* store,
                                                         const std::string& id, int64_t version,
                                                         int64_t* resolved_version) {
  if (version == 0) {
    auto latest = store->LatestVersion(id);
    if (!latest.ok()) return latest.status();
    version = *latest;
  }
  *resolved_version = version;
  if (auto hit = Cache().Find(id, version)) return hit;
  auto stored = store->Get(id, version);
  if (!stored.ok()) return stored.status();
  auto parsed = ParseOrExplain(stored->yaml);
  if (!parsed.ok()) return parsed.status();
  auto shared = std::make_shared<const ParseResult>(std::move(*parsed));
  Cache().Insert(id, version, shared);
  return shared;
}

}  // namespace

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
  if (spec.inline_template.empty()) {
    if (store == nullptr) return Status::FailedPrecondition("no template store to read from");
    auto parsed =
        ParseStored(store, spec.template_id, spec.template_version, &job.template_version);
    if (!parsed.ok()) return parsed.status();
    job.tmpl = *(*parsed)->tmpl;
    job.issues = (*parsed)->issues;
  } else {
    auto parsed = ParseOrExplain(spec.inline_template);
    if (!parsed.ok()) return parsed.status();
    job.tmpl = std::move(*parsed->tmpl);
    job.issues = std::move(parsed->issues);
  }
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
