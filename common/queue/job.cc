#include "common/queue/job.h"

#include <array>

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

}  // namespace quire
