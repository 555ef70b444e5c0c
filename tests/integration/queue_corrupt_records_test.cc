// Garbage in job records: the job fails with DATA_LOSS (or is leased marked
// corrupt), and the queue goes on.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, ARecordOfTheWrongTypeFailsThatJobAndOthersStillLease) {
  const std::string bad = Submit(Spec());
  const std::string good = Submit(Spec());
  Cmd({"DEL", keys::Job(bad)});
  Cmd({"SET", keys::Job(bad), "garbage"});
  const std::vector<LeasedJob> leased = Ok(queue_.Lease("w1", 2));
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, good);
  const JobRecord rec = Ok(inspector_.Get(bad));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "DATA_LOSS");
  EXPECT_NE(rec.error_message.find("WRONGTYPE"), std::string::npos) << rec.error_message;
  EXPECT_EQ(Stat("failed"), 1);
}

TEST_F(QueueTest, AMissingRecordFailsThatJob) {
  const std::string gone = Submit(Spec());
  Cmd({"DEL", keys::Job(gone)});
  EXPECT_TRUE(Ok(queue_.Lease("w1", 1)).empty());
  const JobRecord rec = Ok(inspector_.Get(gone));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_NE(rec.error_message.find("missing"), std::string::npos) << rec.error_message;
}

TEST_F(QueueTest, AnUnreadablePriorityFailsTheReclaimedJobNotTheLease) {
  const std::string bad = Submit(Spec());
  LeaseOne(short_queue_, "w-dead");
  Cmd({"HSET", keys::Job(bad), "prio", "urgent!"});
  const std::string good = Submit(Spec());
  clock_.Advance(400ms);
  EXPECT_EQ(LeaseOne(queue_, "w2").id, good);
  const JobRecord rec = Ok(inspector_.Get(bad));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "DATA_LOSS");
  EXPECT_NE(rec.error_message.find("priority"), std::string::npos) << rec.error_message;
}

TEST_F(QueueTest, TruncatedParametersMarkTheLeasedJobCorrupt) {
  const std::string id = Submit(Spec());
  Cmd({"HSET", keys::Job(id), "params", "[[\"region\",\"EM"});
  const LeasedJob job = LeaseOne(queue_, "w1");
  EXPECT_EQ(job.id, id);
  EXPECT_NE(job.corrupt.find("parameters"), std::string::npos) << job.corrupt;
  const std::string fine = Submit(Spec());
  EXPECT_TRUE(LeaseOne(queue_, "w1").corrupt.empty());
  (void)fine;
}

}  // namespace
}  // namespace quire::testing
