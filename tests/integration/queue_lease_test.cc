// A lease on a job, from Lease() to its end: fencing tokens, progress and
// stage times, Extend(), an expired lease reclaimed while its old holder is
// refused, Complete() and Fail() only by the token that holds the job.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/queue_fixture.h"

namespace quire::testing {
namespace {

TEST_F(QueueTest, LeaseMarksRunningWithIncreasingTokens) {
  JobSpec spec = Spec(Priority::kHigh);
  spec.idempotency_key = "order-17";
  spec.inline_template = "title: inline";
  std::string first = Submit(spec);
  Submit(Spec());
  Submit(Spec());

  int64_t last_token = 0;
  for (int i = 0; i < 3; ++i) {
    LeasedJob j = LeaseOne(queue_, "w-" + std::to_string(i));
    EXPECT_GT(j.token, last_token);
    last_token = j.token;
    EXPECT_EQ(j.attempt, 1);
    EXPECT_EQ(Field(j.id, "state"), "RUNNING");
    EXPECT_EQ(FieldInt(j.id, "token"), j.token);
    EXPECT_EQ(FieldInt(j.id, "attempt"), 1);
    EXPECT_EQ(Field(j.id, "worker"), "w-" + std::to_string(i));
    EXPECT_GT(FieldInt(j.id, "started"), 0);
    EXPECT_TRUE(InZset(keys::Active(), j.id));
    if (i == 0) {  // the spec round-trips through the lease reply
      EXPECT_EQ(j.id, first);
      EXPECT_EQ(j.spec.template_id, "sales");
      EXPECT_EQ(j.spec.template_version, 3);
      EXPECT_EQ(j.spec.priority, Priority::kHigh);
      EXPECT_EQ(j.spec.params, spec.params);
      EXPECT_EQ(j.spec.outputs, spec.outputs);
      EXPECT_EQ(j.spec.submitter, "alice");
      EXPECT_EQ(j.spec.idempotency_key, "order-17");
      EXPECT_EQ(j.spec.inline_template, "title: inline");
      EXPECT_GT(j.created_ms, 0);
    }
  }
}

TEST_F(QueueTest, ProgressStampsStagesAndRecordsLatency) {
  std::string id = Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  struct Step {
    Stage stage;
    int percent;
  };
  const std::vector<Step> steps = {{Stage::kValidating, 10},
                                   {Stage::kValidating, 20},
                                   {Stage::kCollectingData, 40},
                                   {Stage::kRenderingReport, 80}};
  Stage previous = Stage::kNone;
  std::string previous_start;
  for (const auto& step : steps) {
    std::string name = StageName(step.stage);
    SCOPED_TRACE(name + " " + std::to_string(step.percent));
    clock_.Advance(5ms);
    ASSERT_EQ(Ok(queue_.Progress(job, step.stage, step.percent)), LeaseState::kHeld);
    EXPECT_EQ(Field(id, "stage"), name);
    EXPECT_EQ(FieldInt(id, "progress"), step.percent);
    EXPECT_EQ(Field(id, "t:" + name + ":e"), "");
    if (step.stage == previous) {
      EXPECT_EQ(Field(id, "t:" + name + ":s"), previous_start) << "restamped a running stage";
      EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(step.stage)}).Integer(), 0);
    } else if (previous != Stage::kNone) {
      std::string prev = StageName(previous);
      int64_t s = FieldInt(id, "t:" + prev + ":s");
      int64_t e = FieldInt(id, "t:" + prev + ":e");
      EXPECT_GE(e, s);
      EXPECT_EQ(FieldInt(id, "t:" + name + ":s"), e);
      EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(previous)}).Integer(), 1);
      EXPECT_EQ(std::strtoll(Cmd({"LINDEX", keys::StageLatency(previous), "0"}).String().c_str(),
                             nullptr, 10),
                e - s);
    }
    previous = step.stage;
    previous_start = Field(id, "t:" + name + ":s");
  }
  ASSERT_EQ(Ok(queue_.Complete(job, {})), LeaseState::kHeld);
  EXPECT_GT(FieldInt(id, "t:RENDERING_REPORT:e"), 0);
  EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(Stage::kRenderingReport)}).Integer(), 1);
  EXPECT_EQ(Cmd({"LLEN", keys::StageLatency(Stage::kGeneratingCharts)}).Integer(), 0);

  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.progress, 100);
  std::vector<Stage> stages;
  for (const auto& t : rec.stage_times) {
    stages.push_back(t.stage);
    EXPECT_GT(t.started_ms, 0);
    EXPECT_GE(t.finished_ms, t.started_ms);
  }
  EXPECT_EQ(stages, (std::vector<Stage>{Stage::kValidating, Stage::kCollectingData,
                                        Stage::kRenderingReport}));
}

TEST_F(QueueTest, ExtendReportsHeldCancelRequestedOrLost) {
  for (int i = 0; i < 3; ++i) Submit(Spec());
  auto jobs = Ok(queue_.Lease("w-1", 3));
  ASSERT_EQ(jobs.size(), 3u);
  const LeasedJob& held = jobs[0];
  const LeasedJob& cancelled = jobs[1];
  LeasedJob wrong_token = jobs[2];
  wrong_token.token += 100;
  EXPECT_EQ(Ok(queue_.Cancel(cancelled.id)).state, JobState::kRunning);

  std::map<std::string, int64_t> before;
  for (const auto& j : jobs) before[j.id] = ActiveDeadline(j.id);
  clock_.Advance(30ms);

  auto states = Ok(queue_.Extend({&held, &cancelled, &wrong_token}));
  std::vector<LeaseState> want = {LeaseState::kHeld, LeaseState::kCancelRequested,
                                  LeaseState::kLost};
  EXPECT_EQ(states, want);
  EXPECT_GT(ActiveDeadline(held.id), before[held.id]);
  EXPECT_GT(ActiveDeadline(cancelled.id), before[cancelled.id]);
  EXPECT_EQ(ActiveDeadline(wrong_token.id), before[wrong_token.id]);

  // A finished job is lost and is not put back into the active set.
  ASSERT_EQ(Ok(queue_.Complete(held, {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Extend({&held})), std::vector<LeaseState>{LeaseState::kLost});
  EXPECT_FALSE(InZset(keys::Active(), held.id));

  EXPECT_TRUE(Ok(queue_.Extend({})).empty());
}

TEST_F(QueueTest, ExpiredLeaseIsReclaimedAndOldHolderIsFenced) {
  std::string id = Submit(Spec());
  LeasedJob old = LeaseOne(short_queue_, "w-old");
  ASSERT_EQ(Ok(short_queue_.Progress(old, Stage::kValidating, 10)), LeaseState::kHeld);
  clock_.Advance(400ms);

  // The new holder leases with the default (long) lease, so its checks below
  // cannot race its own expiry.
  LeasedJob now = LeaseOne(queue_, "w-new");
  EXPECT_EQ(now.id, id);
  EXPECT_EQ(now.attempt, 2);
  EXPECT_GT(now.token, old.token);
  EXPECT_EQ(Stat("reclaimed"), 1);
  EXPECT_TRUE(Field(id, "t:VALIDATING:s").empty()) << "stage times of attempt 1 were kept";

  ArtifactInfo artifact{"report.pdf", "pdf", "application/pdf", 42, "abc", "/tmp/x"};
  EXPECT_EQ(Ok(queue_.Complete(old, {artifact})), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Fail(old, Status::Internal("boom"))), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.AckCancel(old)), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Progress(old, Stage::kRenderingReport, 90)), LeaseState::kLost);
  EXPECT_EQ(Ok(queue_.Extend({&old})), std::vector<LeaseState>{LeaseState::kLost});

  EXPECT_EQ(Field(id, "state"), "RUNNING");
  EXPECT_EQ(FieldInt(id, "token"), now.token);
  EXPECT_EQ(Field(id, "worker"), "w-new");
  EXPECT_EQ(Field(id, "stage"), "");
  EXPECT_EQ(Field(id, "progress"), "0");
  EXPECT_EQ(Cmd({"HEXISTS", keys::Job(id), "artifacts"}).Integer(), 0);
  EXPECT_EQ(Field(id, "err_code"), "");
  EXPECT_EQ(Stat("completed") + Stat("failed") + Stat("cancelled"), 0);

  EXPECT_EQ(Ok(queue_.Complete(now, {artifact})), LeaseState::kHeld);
  JobRecord rec = Ok(inspector_.Get(id));
  EXPECT_EQ(rec.state, JobState::kCompleted);
  EXPECT_EQ(rec.attempt, 2);
  ASSERT_EQ(rec.artifacts.size(), 1u);
  EXPECT_EQ(rec.artifacts[0].name, "report.pdf");
  EXPECT_EQ(Stat("completed"), 1);
}

TEST_F(QueueTest, FinishWithStaleTokenIsRefused) {
  Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  for (int64_t wrong : {job.token + 1, job.token - 1, int64_t{0}}) {
    SCOPED_TRACE("token " + std::to_string(wrong));
    LeasedJob stale = job;
    stale.token = wrong;
    EXPECT_EQ(Ok(queue_.Complete(stale, {})), LeaseState::kLost);
    EXPECT_EQ(Ok(queue_.Fail(stale, Status::Internal("x"))), LeaseState::kLost);
    EXPECT_EQ(Ok(queue_.AckCancel(stale)), LeaseState::kLost);
    EXPECT_EQ(Ok(queue_.Progress(stale, Stage::kValidating, 5)), LeaseState::kLost);
    EXPECT_EQ(Field(job.id, "state"), "RUNNING");
    EXPECT_EQ(Field(job.id, "stage"), "");
  }
  EXPECT_EQ(Ok(queue_.Complete(job, {})), LeaseState::kHeld);
  // A repeat by the finishing token (its first reply was lost) is told the
  // job is finished, and changes nothing.
  EXPECT_EQ(Ok(queue_.Complete(job, {})), LeaseState::kHeld);
  EXPECT_EQ(Ok(queue_.Fail(job, Status::Internal("late"))), LeaseState::kHeld);
  LeasedJob stale = job;
  stale.token = job.token + 1;
  EXPECT_EQ(Ok(queue_.Complete(stale, {})), LeaseState::kLost);
  EXPECT_EQ(Field(job.id, "state"), "COMPLETED");
  EXPECT_EQ(Field(job.id, "err_code"), "");
  EXPECT_EQ(Field(job.id, "progress"), "100");
  EXPECT_FALSE(InZset(keys::Active(), job.id));
  EXPECT_EQ(Stat("completed"), 1);
  EXPECT_EQ(Stat("failed"), 0);
}

TEST_F(QueueTest, FailRecordsTheError) {
  Submit(Spec());
  LeasedJob job = LeaseOne(queue_, "w-1");
  EXPECT_EQ(Ok(queue_.Fail(job, Status::InvalidArgument("region 'XX' is unknown"))),
            LeaseState::kHeld);
  JobRecord rec = Ok(inspector_.Get(job.id));
  EXPECT_EQ(rec.state, JobState::kFailed);
  EXPECT_EQ(rec.error_code, "INVALID_ARGUMENT");
  EXPECT_EQ(rec.error_message, "region 'XX' is unknown");
  EXPECT_TRUE(rec.artifacts.empty());
  EXPECT_GT(rec.finished_ms, 0);
  EXPECT_EQ(Stat("failed"), 1);
}

TEST_F(QueueTest, CompleteBatchFinishesOnlyHeldLeases) {
  for (int i = 0; i < 3; ++i) Submit(Spec());
  auto jobs = Ok(queue_.Lease("w-1", 3));
  ASSERT_EQ(jobs.size(), 3u);
  LeasedJob stale = jobs[1];
  stale.token += 1;
  auto states = Ok(queue_.CompleteBatch({&jobs[0], &stale, &jobs[2]}));
  EXPECT_EQ(states,
            (std::vector<LeaseState>{LeaseState::kHeld, LeaseState::kLost, LeaseState::kHeld}));
  EXPECT_EQ(Field(jobs[0].id, "state"), "COMPLETED");
  EXPECT_EQ(Field(jobs[1].id, "state"), "RUNNING");
  EXPECT_EQ(Field(jobs[2].id, "state"), "COMPLETED");
  EXPECT_EQ(Stat("completed"), 2);
  EXPECT_TRUE(Ok(queue_.CompleteBatch({})).empty());
}

}  // namespace
}  // namespace quire::testing
