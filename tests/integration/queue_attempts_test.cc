// A job's attempts in the queue: Retry() after a backoff with the history of
// failed attempts, an expired lease recorded as an aborted attempt, a job
// failed when it loses its lease too often, and Requeue() of a failed job.
//
// Not covered here: retries through the gateway and a worker (retry_test.cc).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, RetryScheduledJobWaitsItsDelayThenRunsAgainWithItsHistory) {
  const std::string id = Submit(Spec());
  LeasedJob first = LeaseOne(queue_, "w1");
  ASSERT_EQ(Ok(queue_.Progress(first, Stage::kCollectingData, 20)), LeaseState::kHeld);
  const int64_t before_ms = clock_.NowMillis();
  ASSERT_EQ(Ok(queue_.Retry(first, Status::Unavailable("source 'sales': connection refused"), 400ms,
                            {"a warning"})),
            LeaseState::kHeld);

  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kRetryScheduled);
  EXPECT_EQ(rec.error_code, "UNAVAILABLE");
  EXPECT_GE(rec.next_attempt_ms, before_ms + 350);
  EXPECT_LE(rec.next_attempt_ms, before_ms + 2000);
  ASSERT_EQ(rec.attempt_errors.size(), 1u);
  EXPECT_EQ(rec.attempt_errors[0].attempt, 1);
  EXPECT_EQ(rec.attempt_errors[0].error_code, "UNAVAILABLE");
  EXPECT_EQ(rec.attempt_errors[0].error_message, "source 'sales': connection refused");
  EXPECT_EQ(rec.attempt_errors[0].worker_id, "w1");
  EXPECT_FALSE(InZset(keys::Active(), id));
  EXPECT_TRUE(InZset(keys::Scheduled(), id));
  EXPECT_EQ(Stat("retried"), 1);
  EXPECT_EQ(Ok(inspector_.Metrics()).by_state[JobState::kRetryScheduled], 1);

  // Not before its time; the old token can no longer touch it.
  EXPECT_TRUE(Ok(queue_.Lease("w2", 1)).empty());
  EXPECT_EQ(Ok(queue_.Complete(first, {})), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Retry(first, Status::Unavailable("again"), 1ms)), LeaseState::kLost);
  clock_.Advance(450ms);
  LeasedJob second = LeaseOne(queue_, "w2");
  EXPECT_EQ(second.id, id);
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(second.failed_attempts, 1);
  EXPECT_GT(second.token, first.token);
  EXPECT_FALSE(InZset(keys::Scheduled(), id));

  ASSERT_EQ(Ok(queue_.Fail(second,
                           Status(StatusCode::kDeadlineExceeded, "COLLECTING_DATA took too long"))),
            LeaseState::kHeld);
  rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.next_attempt_ms, 0);
  ASSERT_EQ(rec.attempt_errors.size(), 2u);
  EXPECT_EQ(rec.attempt_errors[1].attempt, 2);
  EXPECT_EQ(rec.attempt_errors[1].error_code, "DEADLINE_EXCEEDED");
  EXPECT_EQ(rec.attempt_errors[1].worker_id, "w2");
}

TEST_F(QueueTest, AnExpiredLeaseIsRecordedAsAnAbortedAttempt) {
  const std::string id = Submit(Spec());
  LeaseOne(short_queue_, "w-dead");
  clock_.Advance(400ms);
  LeasedJob again = LeaseOne(queue_, "w-new");
  EXPECT_EQ(again.attempt, 2);
  EXPECT_EQ(again.failed_attempts, 0) << "a crashed worker's attempt used up the retry budget";
  const JobRecord rec = Ok(inspector_.Get(id));
  ASSERT_EQ(rec.attempt_errors.size(), 1u);
  EXPECT_EQ(rec.attempt_errors[0].error_code, "ABORTED");
  EXPECT_EQ(rec.attempt_errors[0].worker_id, "w-dead");
  EXPECT_NE(rec.attempt_errors[0].error_message.find("lease expired"), std::string::npos);
}

TEST_F(QueueTest, AJobThatLosesItsLeaseTooOftenFailsInsteadOfLoopingForever) {
  QueueOptions o = ShortLease();
  o.max_lost_leases = 2;
  JobQueue q(&pool_, o);
  JobSpec spec = Spec();
  spec.template_version = 0;  // not pinned to a stored template
  const std::string id = Submit(spec);
  LeaseOne(q, "w1");
  clock_.Advance(300ms);
  EXPECT_EQ(LeaseOne(q, "w2").id, id) << "queued again after the first lost lease";
  clock_.Advance(300ms);
  EXPECT_TRUE(Ok(q.Lease("w3", 1)).empty());
  const JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "ABORTED");
  EXPECT_NE(rec.error_message.find("2 times"), std::string::npos) << rec.error_message;
  EXPECT_EQ(rec.attempt_errors.size(), 2u);
  // Requeued, it gets its chances again.
  Ok(q.Requeue(id));
  EXPECT_EQ(LeaseOne(q, "w4").id, id);
}

TEST_F(QueueTest, RequeueSendsAFailedJobBackWithAFreshBudget) {
  JobSpec spec = Spec(Priority::kHigh);
  spec.template_version = 0;  // not pinned to a stored template
  spec.max_attempts = 2;
  const std::string id = Submit(spec);
  const std::string other = Submit(Spec(Priority::kHigh));
  LeasedJob job = LeaseOne(queue_, "w1");
  ASSERT_EQ(job.id, id);
  EXPECT_EQ(job.spec.max_attempts, 2);
  ASSERT_EQ(Ok(queue_.Fail(job, Status::InvalidArgument("bad"))), LeaseState::kHeld);
  EXPECT_EQ(Ok(inspector_.Get(id)).failed_attempts, 1);

  Ok(queue_.Requeue(id));
  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kQueued);
  EXPECT_EQ(rec.error_code, "");
  EXPECT_EQ(rec.finished_ms, 0);
  EXPECT_EQ(rec.failed_attempts, 0) << "the budget was not renewed";
  ASSERT_EQ(rec.attempt_errors.size(), 1u) << "the history was lost";
  EXPECT_EQ(Cmd({"TTL", keys::Job(id)}).Integer(), -1) << "a requeued job must not expire";
  EXPECT_EQ(Stat("requeued"), 1);

  // At the back of its priority: the job queued before it goes first.
  EXPECT_EQ(LeaseOne(queue_, "w2").id, other);
  LeasedJob again = LeaseOne(queue_, "w2");
  EXPECT_EQ(again.id, id);
  EXPECT_EQ(again.attempt, 2);
  EXPECT_EQ(again.failed_attempts, 0);

  // Only FAILED jobs; unknown ids are NOT_FOUND.
  EXPECT_EQ(queue_.Requeue(id).code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(queue_.Requeue(id).message().find("RUNNING"), std::string::npos);
  EXPECT_EQ(queue_.Requeue("nope").code(), StatusCode::kNotFound);
}

TEST_F(QueueTest, RequeueRefusesAJobWhoseTemplateVersionWasDeleted) {
  const int64_t version = Ok(templates_.Put("gone", "Gone", "id: gone\ntitle: Gone\n"));
  JobSpec spec = Spec(Priority::kNormal, "gone");
  spec.template_version = version;
  const std::string id = Submit(spec);
  LeasedJob job = LeaseOne(queue_, "w1");
  ASSERT_EQ(Ok(queue_.Fail(job, Status::InvalidArgument("bad"))), LeaseState::kHeld);
  Ok(templates_.Delete("gone"));
  const Status s = queue_.Requeue(id);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("deleted"), std::string::npos) << s.ToString();
  EXPECT_EQ(Ok(inspector_.Get(id)).state, JobState::kFailed);
}

}  // namespace
}  // namespace quire::testing
