// What the read-only QueueInspector sees: metrics, ListJobs pages with their
// filters and page tokens, and how long a finished job stays to be seen (its
// retention, and the index trim after it).
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, MetricsCountDepthStatesLatencyAndWorkers) {
  std::vector<std::string> low;
  Submit(Spec(Priority::kUrgent));
  Submit(Spec(Priority::kUrgent));
  Submit(Spec(Priority::kHigh));
  for (int i = 0; i < 3; ++i) low.push_back(Submit(Spec(Priority::kLow)));

  LeasedJob done = LeaseOne(queue_, "w-1");
  ASSERT_EQ(Ok(queue_.Progress(done, Stage::kValidating, 10)), LeaseState::kHeld);
  ASSERT_EQ(Ok(queue_.Progress(done, Stage::kCollectingData, 50)), LeaseState::kHeld);
  ASSERT_EQ(Ok(queue_.Complete(done, {})), LeaseState::kHeld);
  LeaseOne(queue_, "w-2");  // stays running
  ASSERT_EQ(Ok(queue_.Cancel(low[0])).state, JobState::kCancelled);

  Ok(queue_.Heartbeat("w-1"));
  Ok(queue_.Heartbeat("w-2"));
  Ok(queue_.Heartbeat("w-1"));
  // A worker silent for 20 s is not live.
  auto time = Cmd({"TIME"});
  int64_t now_ms = ElementInteger(time.Element(0)) * 1000 + ElementInteger(time.Element(1)) / 1000;
  Cmd({"ZADD", keys::Workers(), std::to_string(now_ms - 20000), "w-stale"});

  QueueMetrics m = Ok(inspector_.Metrics());
  EXPECT_EQ(m.depth, (std::map<Priority, int64_t>{{Priority::kLow, 2},
                                                  {Priority::kNormal, 0},
                                                  {Priority::kHigh, 1},
                                                  {Priority::kUrgent, 0}}));
  EXPECT_EQ(m.by_state[JobState::kQueued], 3);
  EXPECT_EQ(m.by_state[JobState::kRunning], 1);
  EXPECT_EQ(m.by_state[JobState::kCompleted], 1);
  EXPECT_EQ(m.by_state[JobState::kFailed], 0);
  EXPECT_EQ(m.by_state[JobState::kCancelled], 1);
  EXPECT_EQ(m.submitted, 6);
  EXPECT_EQ(m.completed, 1);
  EXPECT_EQ(m.cancelled, 1);
  EXPECT_EQ(m.live_workers, 2);

  std::map<Stage, int64_t> samples;
  for (const auto& l : m.latency) samples[l.stage] = l.samples;
  EXPECT_EQ(samples, (std::map<Stage, int64_t>{{Stage::kValidating, 1},
                                               {Stage::kCollectingData, 1},
                                               {Stage::kGeneratingCharts, 0},
                                               {Stage::kRenderingReport, 0},
                                               {Stage::kFinalizing, 0}}));
}

TEST_F(QueueTest, ListPagesNewestFirstWithFilters) {
  // 25 jobs, a couple of ms apart so creation times differ; every fourth is
  // cancelled.
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) {
    ids.push_back(
        Submit(Spec(i % 2 == 0 ? Priority::kLow : Priority::kHigh, i % 3 == 0 ? "alpha" : "beta")));
    clock_.Advance(2ms);
  }
  for (int i = 0; i < 25; i += 4) ASSERT_EQ(Ok(queue_.Cancel(ids[i])).state, JobState::kCancelled);

  // All jobs, pages of 10.
  std::vector<std::string> listed;
  std::vector<size_t> sizes;
  std::string token;
  for (int page_no = 0; page_no < 5; ++page_no) {
    JobPage page = Ok(inspector_.List({}, 10, token));
    sizes.push_back(page.jobs.size());
    for (const auto& j : page.jobs) listed.push_back(j.id);
    token = page.next_page_token;
    if (token.empty()) break;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 5}));
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());
  EXPECT_EQ(listed, newest_first);

  struct Case {
    const char* name;
    JobFilter filter;
    std::function<bool(int)> want;
  };
  const std::vector<Case> cases = {
      {"cancelled", {JobState::kCancelled, "", 0}, [](int i) { return i % 4 == 0; }},
      {"queued", {JobState::kQueued, "", 0}, [](int i) { return i % 4 != 0; }},
      {"running", {JobState::kRunning, "", 0}, [](int) { return false; }},
      {"high", {JobState::kUnspecified, "", 3}, [](int i) { return i % 2 == 1; }},
      {"alpha", {JobState::kUnspecified, "alpha", 0}, [](int i) { return i % 3 == 0; }},
      {"alpha low queued",
       {JobState::kQueued, "alpha", 1},
       [](int i) { return i % 3 == 0 && i % 2 == 0 && i % 4 != 0; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> want;
    for (int i = 24; i >= 0; --i) {
      if (c.want(i)) want.push_back(ids[i]);
    }
    std::vector<std::string> got;
    std::string t;
    for (int page_no = 0; page_no < 20; ++page_no) {
      JobPage page = Ok(inspector_.List(c.filter, 4, t));
      EXPECT_LE(page.jobs.size(), 4u);
      for (const auto& j : page.jobs) got.push_back(j.id);
      t = page.next_page_token;
      if (t.empty()) break;
    }
    EXPECT_EQ(got, want);
  }
}

TEST_F(QueueTest, ListRejectsMalformedPageToken) {
  Submit(Spec());
  for (const char* token : {"garbage", ":0000000000000", "no-colon-at-all"}) {
    SCOPED_TRACE(token);
    auto r = inspector_.List({}, 10, token);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

// A token with a colon but a non-numeric score reaches ZREVRANGEBYSCORE,
// whose error came back as INTERNAL instead of INVALID_ARGUMENT (regression).
TEST_F(QueueTest, ListRejectsNonNumericPageTokenAsInvalidArgument) {
  Submit(Spec());
  for (const char* token : {"abc:def", "12x:0000000000000"}) {
    SCOPED_TRACE(token);
    auto r = inspector_.List({}, 10, token);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  }
}

TEST_F(QueueTest, FinishedJobsExpireAfterRetention) {
  JobQueue q(&pool_, KeepFinishedFor(1s));
  for (int i = 0; i < 4; ++i) Submit(Spec());
  auto jobs = Ok(q.Lease("w-1", 4));
  ASSERT_EQ(jobs.size(), 4u);
  ASSERT_EQ(Ok(q.Complete(jobs[0], {})), LeaseState::kHeld);
  ASSERT_EQ(Ok(q.Fail(jobs[1], Status::Internal("x"))), LeaseState::kHeld);
  ASSERT_EQ(Ok(q.Cancel(jobs[2].id)).state, JobState::kRunning);
  ASSERT_EQ(Ok(q.AckCancel(jobs[2])), LeaseState::kHeld);
  const std::string& running = jobs[3].id;
  std::string queued_then_cancelled = Submit(Spec());
  ASSERT_EQ(Ok(q.Cancel(queued_then_cancelled)).state, JobState::kCancelled);

  std::vector<std::string> finished = {jobs[0].id, jobs[1].id, jobs[2].id, queued_then_cancelled};
  for (const auto& id : finished) {
    int64_t ttl = Cmd({"TTL", keys::Job(id)}).Integer();
    EXPECT_GT(ttl, 0) << id;
    EXPECT_LE(ttl, 1) << id;
    EXPECT_TRUE(inspector_.Get(id).ok());
  }
  EXPECT_EQ(Cmd({"TTL", keys::Job(running)}).Integer(), -1);

  std::this_thread::sleep_for(2100ms);
  for (const auto& id : finished) {
    auto r = inspector_.Get(id);
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  }
  EXPECT_TRUE(inspector_.Get(running).ok());
  auto page = Ok(inspector_.List({}, 100, ""));
  ASSERT_EQ(page.jobs.size(), 1u);
  EXPECT_EQ(page.jobs[0].id, running);
}

// The ListJobs index forgets jobs whose hash expired after the retention,
// and never a live job, however old.
TEST_F(QueueTest, TrimIndexDropsOnlyExpiredJobs) {
  JobQueue q(&pool_, KeepFinishedFor(1s));
  std::string done = Ok(q.Submit(Spec())).job_id;
  std::string waiting = Ok(q.Submit(Spec())).job_id;
  auto leased = Ok(q.Lease("w-1", 1));
  ASSERT_EQ(leased.size(), 1u);
  ASSERT_EQ(leased[0].id, done);
  EXPECT_EQ(Ok(q.Complete(leased[0], {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(q.TrimIndex()), 0);  // nothing older than the retention yet
  // Redis expires the finished job on its own clock; TrimIndex looks at ids
  // created before the queue's clock less the retention.
  std::this_thread::sleep_for(2200ms);
  clock_.Advance(2200ms);
  EXPECT_EQ(Ok(q.TrimIndex()), 1);
  EXPECT_FALSE(InZset(keys::Index(), done));
  EXPECT_TRUE(InZset(keys::Index(), waiting));  // still queued: kept
  EXPECT_EQ(Ok(q.TrimIndex()), 0);
  auto page = Ok(inspector_.List({}, 10, ""));
  ASSERT_EQ(page.jobs.size(), 1u);
  EXPECT_EQ(page.jobs[0].id, waiting);
}

}  // namespace
}  // namespace quire::testing
