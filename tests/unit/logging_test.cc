// Logging: every line logged inside a JobLogScope carries the job id, in
// text and in JSON, and JSON lines are valid JSON even with quotes inside.
#include "common/base/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace quire {
namespace {

std::string Capture(const std::string& format, bool in_scope) {
  spdlog::drop_all();
  ::testing::internal::CaptureStderr();
  SetUpLogging("test", "info", format);
  if (in_scope) {
    JobLogScope scope("job42");
    spdlog::info("rendering \"quoted\" {}", 7);
  } else {
    spdlog::info("idle");
  }
  spdlog::default_logger()->flush();
  std::string out = ::testing::internal::GetCapturedStderr();
  // Leave a default logger behind for the tests that run after this one.
  spdlog::drop_all();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "default", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  return out;
}

TEST(LoggingTest, TextLinesCarryTheJobId) {
  std::string line = Capture("text", true);
  EXPECT_NE(line.find("job=job42"), std::string::npos) << line;
  EXPECT_NE(line.find("rendering \"quoted\" 7"), std::string::npos) << line;
  EXPECT_EQ(Capture("text", false).find("job="), std::string::npos);
}

TEST(LoggingTest, JsonLinesAreJsonWithAJobField) {
  std::string line = Capture("json", true);
  auto j = nlohmann::json::parse(line, nullptr, false);
  ASSERT_TRUE(j.is_object()) << line;
  EXPECT_EQ(j["job"], "job42");
  EXPECT_EQ(j["msg"], "rendering \"quoted\" 7");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["component"], "test");
  auto idle = nlohmann::json::parse(Capture("json", false), nullptr, false);
  ASSERT_TRUE(idle.is_object());
  EXPECT_FALSE(idle.contains("job"));
}

TEST(LoggingTest, ScopesNestAndRestore) {
  EXPECT_EQ(CurrentJobId(), "");
  {
    JobLogScope outer("a");
    {
      JobLogScope inner("b");
      EXPECT_EQ(CurrentJobId(), "b");
    }
    EXPECT_EQ(CurrentJobId(), "a");
  }
  EXPECT_EQ(CurrentJobId(), "");
}

}  // namespace
}  // namespace quire
