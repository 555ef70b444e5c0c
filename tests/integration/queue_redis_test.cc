// The queue and Redis itself: calls answer UNAVAILABLE while Redis is down
// and work again once it is back, stale pooled connections after a restart,
// and the Redis settings that put jobs at risk.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

// Restarts the shared redis-server however the test ends.
class RedisRestart {
 public:
  explicit RedisRestart(TestRedis* redis) : redis_(redis) { redis_->Stop(); }
  ~RedisRestart() { Start(); }
  void Start() {
    if (!started_) redis_->Start();
    started_ = true;
  }

 private:
  TestRedis* redis_;
  bool started_ = false;
};

TEST_F(QueueTest, RedisDownGivesUnavailableThenRecovers) {
  Submit(Spec());  // the pool now holds a connection that is about to break
  {
    RedisRestart restart(redis_.get());
    struct Call {
      const char* name;
      std::function<Status()> run;
    };
    const std::vector<Call> calls = {
        {"submit", [&] { return queue_.Submit(Spec()).status(); }},
        {"submit again", [&] { return queue_.Submit(Spec()).status(); }},
        {"lease", [&] { return queue_.Lease("w-1", 1).status(); }},
        {"cancel", [&] { return queue_.Cancel("x").status(); }},
        {"heartbeat", [&] { return queue_.Heartbeat("w-1"); }},
        {"get", [&] { return inspector_.Get("x").status(); }},
        {"metrics", [&] { return inspector_.Metrics().status(); }},
        {"put template", [&] { return templates_.Put("t", "T", "x: 1").status(); }},
    };
    for (const auto& call : calls) {
      SCOPED_TRACE(call.name);
      Clock::time_point start = Clock::now();
      Status s = call.run();
      EXPECT_LT(Seconds(Clock::now() - start), 5.0);
      EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    }
    restart.Start();
  }
  auto r = queue_.Submit(Spec());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ok(inspector_.Get(r->job_id)).state, JobState::kQueued);
  EXPECT_EQ(Ok(queue_.Lease("w-1", 1)).size(), 1u);
}

// Idle pooled connections opened before a Redis restart are dead after it;
// the first calls after the restart must not fail on them.
TEST_F(QueueTest, RedisRestartDoesNotFailCallsOnStaleIdleConnections) {
  {
    // Three connections in use at once, then returned: three idle.
    auto a = Ok(pool_.Borrow());
    auto b = Ok(pool_.Borrow());
    auto c = Ok(pool_.Borrow());
    for (auto* l : {&a, &b, &c}) Ok((*l)->Command({"PING"}));
  }
  { RedisRestart restart(redis_.get()); }
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE("submit " + std::to_string(i));
    auto r = queue_.Submit(Spec());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
}

TEST_F(QueueTest, RedisSettingsThatRiskJobsAreReported) {
  auto conn = Ok(pool_.Borrow());
  const std::string policy = Cmd({"CONFIG", "GET", "maxmemory-policy"}).get()->element[1]->str;
  Cmd({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  Cmd({"CONFIG", "SET", "appendonly", "yes"});
  EXPECT_TRUE(Ok(CheckRedisSettings(*conn)).empty());

  Cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  std::vector<std::string> w = Ok(CheckRedisSettings(*conn));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("allkeys-lru"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("noeviction"), std::string::npos) << w[0];

  Cmd({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  Cmd({"CONFIG", "SET", "appendonly", "no"});
  Cmd({"CONFIG", "SET", "save", ""});
  w = Ok(CheckRedisSettings(*conn));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("appendonly"), std::string::npos) << w[0];
  Cmd({"CONFIG", "SET", "maxmemory-policy", policy});
}

}  // namespace
}  // namespace quire::testing
