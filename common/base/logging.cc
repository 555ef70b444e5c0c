#include "common/base/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace quire {
namespace {

thread_local std::string tls_job_id;

// Text: "2026-11-21 10:00:00.123 info [worker] job=abc message".
class TextFormatter final : public spdlog::formatter {
 public:
  TextFormatter() { base_.add_flag<JobFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %l [%n]%* %v"); }
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    base_.format(msg, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }

 private:
  class JobFlag final : public spdlog::custom_flag_formatter {
   public:
    void format(const spdlog::details::log_msg&, const std::tm&,
                spdlog::memory_buf_t& dest) override {
      if (tls_job_id.empty()) return;
      std::string s = " job=" + tls_job_id;
      dest.append(s.data(), s.data() + s.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
      return std::make_unique<JobFlag>();
    }
  };
  spdlog::pattern_formatter base_;
};

// JSON: {"ts":"...","level":"info","component":"worker","job":"abc","msg":"..."}
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::json j;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    j["ts_ms"] = ms.count();
    j["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                             spdlog::level::to_string_view(msg.level).size());
    j["component"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    if (!tls_job_id.empty()) j["job"] = tls_job_id;
    j["msg"] = std::string(msg.payload.data(), msg.payload.size());
    std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void SetUpLogging(const std::string& component, const std::string& level,
                  const std::string& format) {
  auto logger = spdlog::stderr_logger_mt(component);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<TextFormatter>());
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

JobLogScope::JobLogScope(const std::string& job_id) : previous_(tls_job_id) { tls_job_id = job_id; }
JobLogScope::~JobLogScope() { tls_job_id = previous_; }

const std::string& CurrentJobId() { return tls_job_id; }

std::string HostAndPid() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + "-" + std::to_string(getpid());
}

}  // namespace quire
