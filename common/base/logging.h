// Logging: spdlog set up once per process, as text or as one JSON object per
// line. A JobLogScope names the job the current thread works on; every line
// logged inside it carries the job id.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace quire {

// `format` is "text" or "json"; `level` a spdlog level name.
void SetUpLogging(const std::string& component, const std::string& level,
                  const std::string& format);

class JobLogScope {
 public:
  explicit JobLogScope(const std::string& job_id);
  ~JobLogScope();
  JobLogScope(const JobLogScope&) = delete;
  JobLogScope& operator=(const JobLogScope&) = delete;

 private:
  std::string previous_;
};

// The job id of the current thread's scope, or "".
const std::string& CurrentJobId();

// "<hostname>-<pid>": names this process in job records and locks.
std::string HostAndPid();

}  // namespace quire
