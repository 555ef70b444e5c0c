#include "common/queue/job.h"

#include <array>
#include <nlohmann/json.hpp>

#include "common/queue/redis_client.h"

namespace quire {
namespace {

constexpr std::array<const char*, 8> kStateNames = {"UNSPECIFIED",     "QUEUED",   "RUNNING",
                                                    "COMPLETED",       "FAILED",   "CANCELLED",
                                                    "RETRY_SCHEDULED", "SCHEDULED"};
constexpr std::array<const char*, 6> kStageNames = {
    "", "VALIDATING", "COLLECTING_DATA", "GENERATING_CHARTS", "RENDERING_REPORT", "FINALIZING"};
constexpr std::array<const char*, 5> kPriorityNames = {"UNSPECIFIED", "LOW", "NORMAL", "HIGH",
                                                       "URGENT"};

}  // namespace

const char* JobStateName(JobState s) {
  auto i = static_cast<size_t>(s);
  return i < kStateNames.size() ? kStateNames[i] : "UNSPECIFIED";
}

JobState JobStateFromName(const std::string& name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (name == kStateNames[i]) return static_cast<JobState>(i);
  }
  return JobState::kUnspecified;
}

const char* StageName(Stage s) {
  auto i = static_cast<size_t>(s);
  return i < kStageNames.size() ? kStageNames[i] : "";
}

Stage StageFromName(const std::string& name) {
  for (size_t i = 1; i < kStageNames.size(); ++i) {
    if (name == kStageNames[i]) return static_cast<Stage>(i);
  }
  return Stage::kNone;
}

const char* PriorityName(Priority p) {
  auto i = static_cast<size_t>(p);
  return i < kPriorityNames.size() ? kPriorityNames[i] : "UNSPECIFIED";
}

bool IsTerminal(JobState s) {
  return s == JobState::kCompleted || s == JobState::kFailed || s == JobState::kCancelled;
}

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
  r.id = FieldText(f, "id");
  r.spec.template_id = FieldText(f, "tpl");
  r.spec.template_version = FieldInt(f, "tver");
  r.spec.inline_template = FieldText(f, "inline");
  r.spec.params = DecodeParams(FieldText(f, "params"));
  r.spec.priority = static_cast<Priority>(FieldInt(f, "prio"));
  r.spec.outputs = SplitList(FieldText(f, "outputs"));
  r.spec.idempotency_key = FieldText(f, "idem");
  r.spec.submitter = FieldText(f, "submitter");
  r.spec.fresh_data = FieldText(f, "fresh") == "1";
  r.spec.max_attempts = static_cast<int>(FieldInt(f, "maxatt"));
  r.spec.deadline_ms = FieldInt(f, "deadline");
  r.spec.run_at_ms = FieldInt(f, "run_at");
  r.state = JobStateFromName(FieldText(f, "state"));
  r.stage = StageFromName(FieldText(f, "stage"));
  r.progress = static_cast<int>(FieldInt(f, "progress"));
  r.attempt = static_cast<int>(FieldInt(f, "attempt"));
  r.created_ms = FieldInt(f, "created");
  r.started_ms = FieldInt(f, "started");
  r.finished_ms = FieldInt(f, "finished");
  for (int s = 1; s <= 5; ++s) {
    std::string name = StageName(static_cast<Stage>(s));
    int64_t start = FieldInt(f, "t:" + name + ":s");
    if (start == 0) continue;
    r.stage_times.push_back({static_cast<Stage>(s), start, FieldInt(f, "t:" + name + ":e")});
  }
  r.error_code = FieldText(f, "err_code");
  r.error_message = FieldText(f, "err_msg");
  r.warnings = DecodeStrings(FieldText(f, "warnings"));
  r.attempt_errors = DecodeAttemptErrors(FieldText(f, "attempts"));
  r.next_attempt_ms = FieldInt(f, "next_at");
  r.failed_attempts = static_cast<int>(FieldInt(f, "fails"));
  r.artifacts = DecodeArtifacts(FieldText(f, "artifacts"));
  r.worker_id = FieldText(f, "worker");
  r.cancel_requested = FieldText(f, "cancel") == "1";
  r.sequence = FieldInt(f, "ver");
  return r;
}

}  // namespace quire
