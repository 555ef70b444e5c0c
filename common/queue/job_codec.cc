#include "common/queue/job_codec.h"

#include <nlohmann/json.hpp>

#include "common/queue/redis_client.h"

namespace quire {

std::string EncodeParams(const std::vector<std::pair<std::string, std::string>>& params) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [k, v] : params) j.push_back({k, v});
  return j.dump();
}

std::vector<std::pair<std::string, std::string>> DecodeParams(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& p : j) {
    if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string()) {
      out.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
    }
  }
  return out;
}

std::string EncodeArtifacts(const std::vector<ArtifactInfo>& artifacts) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& a : artifacts) {
    j.push_back({{"name", a.name},
                 {"format", a.format},
                 {"content_type", a.content_type},
                 {"size", a.size_bytes},
                 {"sha256", a.sha256},
                 {"location", a.location}});
  }
  return j.dump();
}

std::vector<ArtifactInfo> DecodeArtifacts(const std::string& text) {
  std::vector<ArtifactInfo> out;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& a : j) {
    if (!a.is_object()) continue;
    ArtifactInfo info;
    info.name = a.value("name", "");
    info.format = a.value("format", "");
    info.content_type = a.value("content_type", "");
    info.size_bytes = a.value("size", int64_t{0});
    info.sha256 = a.value("sha256", "");
    info.location = a.value("location", "");
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<AttemptError> DecodeAttemptErrors(const std::string& text) {
  std::vector<AttemptError> out;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& a : j) {
    if (!a.is_object()) continue;
    AttemptError e;
    e.attempt = a.value("attempt", 0);
    e.error_code = a.value("code", "");
    e.error_message = a.value("message", "");
    e.worker_id = a.value("worker", "");
    e.finished_ms = a.value("at", int64_t{0});
    out.push_back(std::move(e));
  }
  return out;
}

std::string EncodeStrings(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

std::vector<std::string> DecodeStrings(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& s : j) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

JobRecord JobRecordFromFields(const std::map<std::string, std::string>& f) {
  JobRecord r;
  r.id = FieldText(f, job_field::kId);
  r.spec.template_id = FieldText(f, job_field::kTemplate);
  r.spec.template_version = FieldInt(f, job_field::kTemplateVersion);
  r.spec.inline_template = FieldText(f, job_field::kInline);
  r.spec.params = DecodeParams(FieldText(f, job_field::kParams));
  r.spec.priority = static_cast<Priority>(FieldInt(f, job_field::kPriority));
  r.spec.outputs = SplitList(FieldText(f, job_field::kOutputs));
  r.spec.idempotency_key = FieldText(f, job_field::kIdempotencyKey);
  r.spec.submitter = FieldText(f, job_field::kSubmitter);
  r.spec.fresh_data = FieldText(f, job_field::kFreshData) == "1";
  r.spec.max_attempts = static_cast<int>(FieldInt(f, job_field::kMaxAttempts));
  r.spec.deadline_ms = FieldInt(f, job_field::kDeadline);
  r.spec.run_at_ms = FieldInt(f, job_field::kRunAt);
  r.state = JobStateFromName(FieldText(f, job_field::kState));
  r.stage = StageFromName(FieldText(f, job_field::kStage));
  r.progress = static_cast<int>(FieldInt(f, job_field::kProgress));
  r.attempt = static_cast<int>(FieldInt(f, job_field::kAttempt));
  r.created_ms = FieldInt(f, job_field::kCreated);
  r.started_ms = FieldInt(f, job_field::kStarted);
  r.finished_ms = FieldInt(f, job_field::kFinished);
  for (int s = 1; s <= 5; ++s) {
    std::string name = StageName(static_cast<Stage>(s));
    int64_t start = FieldInt(f, "t:" + name + ":s");
    if (start == 0) continue;
    r.stage_times.push_back({static_cast<Stage>(s), start, FieldInt(f, "t:" + name + ":e")});
  }
  r.error_code = FieldText(f, job_field::kErrorCode);
  r.error_message = FieldText(f, job_field::kErrorMessage);
  r.warnings = DecodeStrings(FieldText(f, job_field::kWarnings));
  r.attempt_errors = DecodeAttemptErrors(FieldText(f, job_field::kAttempts));
  r.next_attempt_ms = FieldInt(f, job_field::kNextAttempt);
  r.failed_attempts = static_cast<int>(FieldInt(f, job_field::kFails));
  r.artifacts = DecodeArtifacts(FieldText(f, job_field::kArtifacts));
  r.worker_id = FieldText(f, job_field::kWorker);
  r.cancel_requested = FieldText(f, job_field::kCancel) == "1";
  r.sequence = FieldInt(f, job_field::kVersion);
  return r;
}

const std::vector<std::string>& LeasedFields() {
  static const std::vector<std::string> fields = {
      job_field::kTemplate,  job_field::kTemplateVersion, job_field::kPriority,
      job_field::kParams,    job_field::kOutputs,         job_field::kInline,
      job_field::kSubmitter, job_field::kCreated,         job_field::kIdempotencyKey,
      job_field::kFreshData, job_field::kMaxAttempts,     job_field::kFails,
      job_field::kDeadline};
  return fields;
}

LeasedJob LeasedJobFromFields(std::string id, int64_t token, int attempt,
                              const std::vector<std::string>& values) {
  std::map<std::string, std::string> fields;
  const auto& names = LeasedFields();
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (!values[i].empty()) fields.emplace(names[i], values[i]);
  }
  JobRecord record = JobRecordFromFields(fields);
  LeasedJob job;
  job.id = std::move(id);
  job.token = token;
  job.attempt = attempt;
  job.failed_attempts = record.failed_attempts;
  job.created_ms = record.created_ms;
  job.spec = std::move(record.spec);
  const std::string& params = FieldText(fields, job_field::kParams);
  if (!params.empty() && !nlohmann::json::accept(params)) {
    job.corrupt = "its parameters are not valid JSON";
  }
  if (job.spec.priority < Priority::kLow || job.spec.priority > Priority::kUrgent) {
    job.corrupt = "its priority is not 1..4";
  }
  return job;
}

}  // namespace quire
