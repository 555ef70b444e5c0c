// Submitting jobs to the Redis job queue: the job hash and the pending set of
// its priority, batches, idempotency keys, a run_at in the future; and the
// work signal a submit raises, an empty Lease() clears and WaitForWork()
// sleeps on.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/queue/job_codec.h"
#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, SubmitWritesJobHashAndQueuesByPriority) {
  for (Priority p : kPriorities) {
    SCOPED_TRACE(PriorityName(p));
    JobSpec spec = Spec(p);
    auto r = Ok(queue_.Submit(spec));
    EXPECT_FALSE(r.deduplicated);
    EXPECT_EQ(r.job_id.size(), 24u);

    EXPECT_EQ(Field(r.job_id, "id"), r.job_id);
    EXPECT_EQ(Field(r.job_id, "state"), "QUEUED");
    EXPECT_EQ(FieldInt(r.job_id, "attempt"), 0);  // absent until the first lease
    EXPECT_EQ(FieldInt(r.job_id, "prio"), static_cast<int>(p));
    EXPECT_EQ(Field(r.job_id, "tpl"), "sales");
    EXPECT_EQ(DecodeParams(Field(r.job_id, "params")), spec.params);
    for (Priority other : kPriorities) {
      EXPECT_EQ(InZset(keys::Pending(other), r.job_id), other == p) << PriorityName(other);
    }
    EXPECT_TRUE(InZset(keys::Index(), r.job_id));

    JobRecord rec = Ok(inspector_.Get(r.job_id));
    EXPECT_EQ(rec.state, JobState::kQueued);
    EXPECT_EQ(rec.spec.priority, p);
    EXPECT_EQ(rec.spec.params, spec.params);
    EXPECT_EQ(rec.spec.outputs, spec.outputs);
    EXPECT_EQ(rec.spec.template_version, 3);
    EXPECT_EQ(rec.spec.submitter, "alice");
    EXPECT_GT(rec.created_ms, 0);
  }
  EXPECT_EQ(Stat("submitted"), 4);
}

TEST_F(QueueTest, SubmitBatchOfThousandReturnsDistinctIds) {
  std::vector<JobSpec> specs(1000, Spec());
  auto results = Ok(queue_.SubmitBatch(specs));
  ASSERT_EQ(results.size(), 1000u);
  std::set<std::string> ids;
  for (const auto& r : results) {
    EXPECT_FALSE(r.deduplicated);
    ids.insert(r.job_id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(Cmd({"ZCARD", keys::Pending(Priority::kNormal)}).Integer(), 1000);
  EXPECT_EQ(Cmd({"ZCARD", keys::Index()}).Integer(), 1000);
  EXPECT_EQ(Stat("submitted"), 1000);
}

TEST_F(QueueTest, SameIdempotencyKeyGivesSameJob) {
  JobSpec spec = Spec();
  spec.idempotency_key = "invoice-2024-07";
  auto first = Ok(queue_.Submit(spec));
  auto second = Ok(queue_.Submit(spec));
  EXPECT_FALSE(first.deduplicated);
  EXPECT_TRUE(second.deduplicated);
  EXPECT_EQ(first.job_id, second.job_id);
  EXPECT_EQ(Cmd({"ZCARD", keys::Index()}).Integer(), 1);
  EXPECT_EQ(PendingTotal(), 1);
  EXPECT_EQ(Stat("submitted"), 1);
  EXPECT_GT(Cmd({"TTL", keys::Idempotency("invoice-2024-07")}).Integer(), 0);

  // Another key, or none at all, makes new jobs; duplicates inside one batch
  // are caught too.
  JobSpec other = Spec();
  other.idempotency_key = "invoice-2024-08";
  std::vector<JobSpec> batch = {other, other, Spec(), Spec()};
  auto results = Ok(queue_.SubmitBatch(batch));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_NE(results[0].job_id, first.job_id);
  EXPECT_EQ(results[1].job_id, results[0].job_id);
  EXPECT_TRUE(results[1].deduplicated);
  EXPECT_FALSE(results[2].deduplicated);
  EXPECT_NE(results[2].job_id, results[3].job_id);
  EXPECT_EQ(Cmd({"ZCARD", keys::Index()}).Integer(), 4);
}

TEST_F(QueueTest, AJobWithAFutureRunAtWaitsScheduledThenQueues) {
  JobSpec spec = Spec(Priority::kHigh);
  const int64_t run_at = clock_.NowMillis() + 300;
  spec.run_at_ms = run_at;
  const std::string later = Submit(spec);
  spec.run_at_ms = clock_.NowMillis() - 1000;  // in the past: at once
  const std::string now = Submit(spec);
  JobRecord rec = Ok(inspector_.Get(later));
  EXPECT_EQ(rec.state, JobState::kScheduled);
  EXPECT_EQ(rec.spec.run_at_ms, run_at);
  EXPECT_TRUE(InZset(keys::Delayed(), later));
  EXPECT_EQ(Ok(inspector_.Metrics()).by_state[JobState::kScheduled], 1);

  EXPECT_EQ(LeaseOne(queue_, "w1").id, now);
  EXPECT_TRUE(Ok(queue_.Lease("w1", 1)).empty()) << "ran before its time";
  clock_.Advance(350ms);
  LeasedJob job = LeaseOne(queue_, "w1");
  EXPECT_EQ(job.id, later);
  EXPECT_EQ(job.attempt, 1);
  EXPECT_FALSE(InZset(keys::Delayed(), later));
}

TEST_F(QueueTest, SubmitSignalsWorkAndCapsTheSignalList) {
  EXPECT_EQ(Cmd({"LLEN", keys::Signal()}).Integer(), 0);
  Submit(Spec());
  EXPECT_GT(Cmd({"LLEN", keys::Signal()}).Integer(), 0);
  Ok(queue_.SubmitBatch(std::vector<JobSpec>(100, Spec())));
  EXPECT_LE(Cmd({"LLEN", keys::Signal()}).Integer(), 64);
}

TEST_F(QueueTest, LeaseOnEmptyQueueClearsSignal) {
  Submit(Spec());
  ASSERT_GT(Cmd({"LLEN", keys::Signal()}).Integer(), 0);
  EXPECT_EQ(Ok(queue_.Lease("w-1", 1)).size(), 1u);
  EXPECT_TRUE(Ok(queue_.Lease("w-1", 1)).empty());
  EXPECT_EQ(Cmd({"EXISTS", keys::Signal()}).Integer(), 0);

  // A stray signal with nothing queued is cleared too.
  Cmd({"LPUSH", keys::Signal(), "1"});
  EXPECT_TRUE(Ok(queue_.Lease("w-1", 4)).empty());
  EXPECT_EQ(Cmd({"EXISTS", keys::Signal()}).Integer(), 0);
}

TEST_F(QueueTest, WaitForWorkWakesPromptlyOnSubmit) {
  auto conn = Ok(pool_.Borrow());
  std::atomic<bool> submitted{false};
  Clock::time_point submit_at;
  std::thread submitter([&] {
    std::this_thread::sleep_for(300ms);
    submit_at = Clock::now();
    submitted = queue_.Submit(Spec()).ok();
  });
  Clock::time_point start = Clock::now();
  Status s = queue_.WaitForWork(*conn, 5000ms);
  Clock::time_point woke = Clock::now();
  submitter.join();
  EXPECT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(submitted);
  EXPECT_LT(Seconds(woke - submit_at), 0.5) << "woke " << Seconds(woke - start) << " s after start";
  EXPECT_GE(Seconds(woke - start), 0.2) << "returned before the submit";
}

TEST_F(QueueTest, WaitForWorkReturnsAfterTimeoutWhenIdle) {
  auto conn = Ok(pool_.Borrow());
  Clock::time_point start = Clock::now();
  Status s = queue_.WaitForWork(*conn, 500ms);
  double elapsed = Seconds(Clock::now() - start);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(elapsed, 0.2);
  EXPECT_LE(elapsed, 3.0);
  EXPECT_FALSE(conn->broken());
}

}  // namespace
}  // namespace quire::testing
