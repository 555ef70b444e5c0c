// The order Lease() hands out jobs in: highest priority first, FIFO within a
// priority (a reclaimed job keeps its place), and aging, which lifts a
// waiting job a level per interval so that no priority starves.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, LeaseDrainsByPriorityThenFifo) {
  struct Case {
    int batch;
  };
  for (Case c : {Case{1}, Case{7}, Case{40}}) {
    SCOPED_TRACE("batch " + std::to_string(c.batch));
    redis_->Flush();
    // 40 jobs with priorities interleaved; the expected lease order is a
    // stable sort by priority, highest first.
    std::vector<std::pair<Priority, std::string>> submitted;
    for (int i = 0; i < 40; ++i) {
      Priority p = static_cast<Priority>(1 + (i * 7 + i / 5) % 4);
      submitted.emplace_back(p, Submit(Spec(p)));
    }
    std::stable_sort(submitted.begin(), submitted.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });

    std::vector<std::pair<Priority, std::string>> leased;
    for (int call = 0; call <= 40; ++call) {
      auto jobs = Ok(queue_.Lease("w-1", c.batch));
      if (jobs.empty()) break;
      size_t remaining = submitted.size() - leased.size();
      EXPECT_EQ(jobs.size(), std::min<size_t>(c.batch, remaining));
      for (const auto& j : jobs) leased.emplace_back(j.spec.priority, j.id);
    }
    EXPECT_EQ(leased, submitted);
    EXPECT_EQ(PendingTotal(), 0);
    EXPECT_EQ(Cmd({"ZCARD", keys::Active()}).Integer(), 40);
  }
}

TEST_F(QueueTest, ReclaimedJobKeepsItsFifoPosition) {
  std::string a = Submit(Spec(Priority::kNormal));
  ASSERT_EQ(LeaseOne(short_queue_, "w-1").id, a);
  std::string b = Submit(Spec(Priority::kNormal));
  std::string c = Submit(Spec(Priority::kLow));
  std::string d = Submit(Spec(Priority::kUrgent));
  clock_.Advance(400ms);

  auto jobs = Ok(queue_.Lease("w-2", 10));
  std::vector<std::string> got;
  for (const auto& j : jobs) got.push_back(j.id);
  EXPECT_EQ(got, (std::vector<std::string>{d, a, b, c}));
  EXPECT_EQ(Stat("reclaimed"), 1);
}

TEST_F(QueueTest, ALowJobRisesALevelPerAgingIntervalAndRunsUnderConstantUrgentLoad) {
  JobQueue aging_queue(&pool_, AgingEvery(200ms));
  const std::string low = Submit(Spec(Priority::kLow));
  const int64_t start = clock_.NowMillis();
  // A constant URGENT load: two new URGENT jobs for every one leased, so
  // without aging the LOW job would wait forever.
  int urgent_leased = 0;
  std::string leased;
  while (clock_.NowMillis() - start < 5000) {
    Submit(Spec(Priority::kUrgent));
    Submit(Spec(Priority::kUrgent));
    leased = LeaseOne(aging_queue, "w1").id;
    if (leased == low) break;
    ++urgent_leased;
    clock_.Advance(20ms);
  }
  const double waited = (clock_.NowMillis() - start) / 1000.0;
  ASSERT_EQ(leased, low) << "LOW starved under URGENT load for 5 s";
  // Three levels to climb, one interval each.
  EXPECT_GE(waited, 0.6);
  EXPECT_LT(waited, 2.0);
  EXPECT_GT(urgent_leased, 10);
  EXPECT_EQ(FieldInt(low, "lvl"), static_cast<int>(Priority::kUrgent));
  EXPECT_EQ(FieldInt(low, "prio"), static_cast<int>(Priority::kLow)) << "its own priority changed";
}

TEST_F(QueueTest, WithoutAgingPriorityStaysStrict) {
  JobQueue strict(&pool_, AgingEvery(0ms));
  const std::string low = Submit(Spec(Priority::kLow));
  clock_.Advance(50ms);
  for (int i = 0; i < 5; ++i) Submit(Spec(Priority::kUrgent));
  for (int i = 0; i < 5; ++i) EXPECT_NE(LeaseOne(strict, "w1").id, low);
  EXPECT_EQ(LeaseOne(strict, "w1").id, low);
}

}  // namespace
}  // namespace quire::testing
