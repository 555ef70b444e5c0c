// Cancel() in each state a job can be in: queued, scheduled or waiting for a
// retry (ended at once), running (its worker acknowledges), finished (a
// no-op), unknown, risen above its priority by aging, and a cancel-requested
// job whose lease expires.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, CancelQueuedJobEndsItAtOnce) {
  std::string doomed = Submit(Spec(Priority::kHigh));
  std::string kept = Submit(Spec(Priority::kHigh));
  EXPECT_EQ(Ok(queue_.Cancel(doomed)).state, JobState::kCancelled);
  EXPECT_EQ(Field(doomed, "state"), "CANCELLED");
  EXPECT_GT(FieldInt(doomed, "finished"), 0);
  EXPECT_FALSE(InZset(keys::Pending(Priority::kHigh), doomed));
  EXPECT_GT(Cmd({"TTL", keys::Job(doomed)}).Integer(), 0);
  EXPECT_EQ(Stat("cancelled"), 1);

  auto jobs = Ok(queue_.Lease("w-1", 10));
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, kept);
  // Cancelling again reports the terminal state and counts nothing.
  EXPECT_EQ(Ok(queue_.Cancel(doomed)).state, JobState::kCancelled);
  EXPECT_EQ(Stat("cancelled"), 1);
}

TEST_F(QueueTest, CancelRunningJobIsAcknowledgedByItsWorker) {
  Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  EXPECT_EQ(Ok(queue_.Cancel(job.id)).state, JobState::kRunning);
  EXPECT_EQ(Field(job.id, "state"), "RUNNING");
  EXPECT_EQ(Field(job.id, "cancel"), "1");
  EXPECT_TRUE(Ok(inspector_.Get(job.id)).cancel_requested);
  EXPECT_EQ(Stat("cancelled"), 0);

  EXPECT_EQ(Ok(queue_.Progress(job, Stage::kValidating, 5)), LeaseState::kCancelRequested);
  EXPECT_EQ(Ok(queue_.AckCancel(job)), LeaseState::kHeld);
  JobRecord rec = Ok(inspector_.Get(job.id));
  EXPECT_EQ(rec.state, JobState::kCancelled);
  EXPECT_EQ(rec.error_code, "CANCELLED");
  EXPECT_FALSE(InZset(keys::Active(), job.id));
  EXPECT_EQ(Stat("cancelled"), 1);
}

TEST_F(QueueTest, CancelOfFinishedJobReportsItsStateAndChangesNothing) {
  using FinishFn = std::function<StatusOr<LeaseState>(JobQueue&, const LeasedJob&)>;
  struct Case {
    const char* name;
    FinishFn finish;
    JobState want;
  };
  const std::vector<Case> cases = {
      {"completed", [](JobQueue& q, const LeasedJob& j) { return q.Complete(j, {}); },
       JobState::kCompleted},
      {"failed", [](JobQueue& q, const LeasedJob& j) { return q.Fail(j, Status::Internal("x")); },
       JobState::kFailed},
      {"cancelled", [](JobQueue& q, const LeasedJob& j) { return q.AckCancel(j); },
       JobState::kCancelled},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Submit(Spec());
    LeasedJob job = LeaseOne(queue_, "w-1");
    ASSERT_EQ(Ok(c.finish(queue_, job)), LeaseState::kHeld);
    int64_t cancelled = Stat("cancelled");
    std::string ver = Field(job.id, "ver");
    EXPECT_EQ(Ok(queue_.Cancel(job.id)).state, c.want);
    EXPECT_EQ(Field(job.id, "state"), JobStateName(c.want));
    EXPECT_EQ(Field(job.id, "cancel"), "");
    EXPECT_EQ(Field(job.id, "ver"), ver) << "an event was published for a no-op";
    EXPECT_EQ(Stat("cancelled"), cancelled);
  }
}

TEST_F(QueueTest, CancelOfUnknownJobIsNotFound) {
  auto r = queue_.Cancel("0000000000000deadbeef0000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  auto g = inspector_.Get("0000000000000deadbeef0000");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);
}

TEST_F(QueueTest, ExpiredLeaseOfCancelRequestedJobEndsCancelled) {
  std::string id = Submit(Spec());
  LeasedJob old = LeaseOne(short_queue_, "w-1");
  ASSERT_EQ(Ok(queue_.Cancel(id)).state, JobState::kRunning);
  clock_.Advance(400ms);

  EXPECT_TRUE(Ok(queue_.Lease("w-2", 5)).empty()) << "a cancelled job was requeued";
  EXPECT_EQ(Field(id, "state"), "CANCELLED");
  EXPECT_FALSE(InZset(keys::Active(), id));
  EXPECT_EQ(PendingTotal(), 0);
  EXPECT_GT(Cmd({"TTL", keys::Job(id)}).Integer(), 0);
  EXPECT_EQ(Stat("cancelled"), 1);
  EXPECT_EQ(Stat("reclaimed"), 0);
  EXPECT_EQ(Ok(short_queue_.AckCancel(old)), LeaseState::kLost);
  EXPECT_EQ(Stat("cancelled"), 1);
}

TEST_F(QueueTest, CancelOfAJobWaitingForARetryEndsItAtOnce) {
  const std::string id = Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w1");
  ASSERT_EQ(Ok(queue_.Retry(job, Status::Unavailable("down"), 200ms)), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Cancel(id)).state, JobState::kCancelled);
  EXPECT_FALSE(InZset(keys::Scheduled(), id));
  clock_.Advance(300ms);
  EXPECT_TRUE(Ok(queue_.Lease("w2", 1)).empty());
  EXPECT_EQ(Ok(inspector_.Get(id)).state, JobState::kCancelled);
  EXPECT_EQ(Stat("cancelled"), 1);
}

TEST_F(QueueTest, CancelEndsAScheduledJob) {
  JobSpec spec = Spec();
  spec.run_at_ms = clock_.NowMillis() + 200;
  const std::string id = Submit(spec);
  EXPECT_EQ(Ok(queue_.Cancel(id)).state, JobState::kCancelled);
  EXPECT_FALSE(InZset(keys::Delayed(), id));
  clock_.Advance(250ms);
  EXPECT_TRUE(Ok(queue_.Lease("w1", 1)).empty());
}

TEST_F(QueueTest, CancelFindsAJobThatRoseAboveItsPriority) {
  JobQueue aging_queue(&pool_, AgingEvery(100ms));
  const std::string low = Submit(Spec(Priority::kLow));
  clock_.Advance(150ms);
  Submit(Spec(Priority::kUrgent));
  LeaseOne(aging_queue, "w1");  // ages the LOW job into NORMAL
  EXPECT_TRUE(InZset(keys::Pending(Priority::kNormal), low));
  EXPECT_EQ(Ok(queue_.Cancel(low)).state, JobState::kCancelled);
  EXPECT_EQ(PendingTotal(), 0);
}

}  // namespace
}  // namespace quire::testing
