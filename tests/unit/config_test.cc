// Config: the documented file loads, lists every option, and the layers
// (file, environment, --set) override in order.
#include "common/base/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "common/queue/queue_config.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

std::string DeployConfig() { return test::SourcePath("deploy/quire.yaml"); }

TEST(ConfigTest, DeployFileLoadsAndMatchesDefaults) {
  auto c = Config::Load(DeployConfig(), {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  for (const auto& o : AllOptions()) {
    EXPECT_EQ(c->Get(o.key), o.default_value) << o.key;
  }
}

TEST(ConfigTest, DeployFileDocumentsEveryOption) {
  const std::string text = test::ReadFile(DeployConfig());
  for (const auto& o : AllOptions()) {
    std::string key = o.key;
    std::string leaf = key.substr(key.find('.') + 1);
    EXPECT_NE(text.find("  " + leaf + ":"), std::string::npos) << key;
  }
}

TEST(ConfigTest, EnvironmentThenFlagsOverride) {
  setenv("QUIRE_WORKER_CONCURRENCY", "9", 1);
  auto c = Config::Load(DeployConfig(), {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->GetInt("worker.concurrency"), 9);
  auto d = Config::Load(DeployConfig(), {"worker.concurrency=3"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->GetInt("worker.concurrency"), 3);
  unsetenv("QUIRE_WORKER_CONCURRENCY");
  EXPECT_EQ(EnvName("queue.lease_ms"), "QUIRE_QUEUE_LEASE_MS");
}

TEST(ConfigTest, UnknownKeysAndBadFilesAreErrors) {
  auto a = Config::Load("", {"worker.concurency=3"});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("worker.concurency"), std::string::npos);
  auto b = Config::Load("", {"no-equals-sign"});
  EXPECT_FALSE(b.ok());
  auto c = Config::Load("/nonexistent/quire.yaml", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cannot be read"), std::string::npos);
  const test::TempDir dir;
  const std::string path = dir.File("bad.yaml");
  std::ofstream(path) << "redis:\n  port: [1\n";
  auto d = Config::Load(path, {});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("bad.yaml:"), std::string::npos) << d.status().message();
}

TEST(ConfigTest, TypedViews) {
  auto c = Config::Load("", {"redis.port=7000", "queue.lease_ms=1500", "redis.timeout_ms=250"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(RedisOptionsFromConfig(*c).port, 7000);
  EXPECT_EQ(RedisOptionsFromConfig(*c).timeout.count(), 250);
  EXPECT_EQ(QueueOptionsFromConfig(*c).lease_duration.count(), 1500);
}

}  // namespace
}  // namespace quire
