// The job model's encodings and the gateway's conversions: what the Lua
// scripts publish and store must read back exactly.
#include <gtest/gtest.h>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/queue/job_codec.h"
#include "common/queue/queue_inspector.h"
#include "services/proto_convert.h"

namespace quire {
namespace {

TEST(JobModelTest, NamesRoundTrip) {
  for (int s = 1; s <= 5; ++s) {
    auto state = static_cast<JobState>(s);
    EXPECT_EQ(JobStateFromName(JobStateName(state)), state);
    auto stage = static_cast<Stage>(s);
    EXPECT_EQ(StageFromName(StageName(stage)), stage);
  }
  EXPECT_EQ(JobStateFromName("nonsense"), JobState::kUnspecified);
  EXPECT_EQ(StageFromName(""), Stage::kNone);
  EXPECT_TRUE(IsTerminal(JobState::kCancelled));
  EXPECT_FALSE(IsTerminal(JobState::kRunning));
  EXPECT_EQ(std::string(StatusCodeName(StatusCode::kResourceExhausted)), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeFromName("NOT_FOUND"), StatusCode::kNotFound);
}

TEST(JobModelTest, ParamsAndListsRoundTrip) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"region", "Nord \"Ost\""}, {"month", "2024-06"}, {"empty", ""}, {"üñí", "çødé"}};
  EXPECT_EQ(DecodeParams(EncodeParams(params)), params);
  EXPECT_TRUE(DecodeParams("not json").empty());
  EXPECT_EQ(SplitList(JoinList({"pdf", "xlsx"})), (std::vector<std::string>{"pdf", "xlsx"}));
  EXPECT_TRUE(SplitList("").empty());
}

TEST(JobModelTest, ArtifactsRoundTrip) {
  ArtifactInfo a{"report.pdf", "pdf", "application/pdf", 1234, "ab12", "j/1/report.pdf"};
  auto back = DecodeArtifacts(EncodeArtifacts({a}));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].name, a.name);
  EXPECT_EQ(back[0].size_bytes, 1234);
  EXPECT_EQ(back[0].location, a.location);
}

TEST(JobModelTest, RecordFromHashFields) {
  std::map<std::string, std::string> f = {{"id", "j1"},
                                          {"tpl", "demo"},
                                          {"tver", "3"},
                                          {"prio", "4"},
                                          {"state", "RUNNING"},
                                          {"stage", "RENDERING_REPORT"},
                                          {"progress", "60"},
                                          {"attempt", "2"},
                                          {"created", "1000"},
                                          {"started", "2000"},
                                          {"t:VALIDATING:s", "2000"},
                                          {"t:VALIDATING:e", "2100"},
                                          {"t:RENDERING_REPORT:s", "2500"},
                                          {"cancel", "1"},
                                          {"ver", "9"}};
  JobRecord r = JobRecordFromFields(f);
  EXPECT_EQ(r.spec.priority, Priority::kUrgent);
  EXPECT_EQ(r.state, JobState::kRunning);
  EXPECT_EQ(r.stage, Stage::kRenderingReport);
  EXPECT_EQ(r.attempt, 2);
  ASSERT_EQ(r.stage_times.size(), 2u);
  EXPECT_EQ(r.stage_times[0].finished_ms, 2100);
  EXPECT_EQ(r.stage_times[1].finished_ms, 0);  // still running
  EXPECT_TRUE(r.cancel_requested);
  EXPECT_EQ(r.sequence, 9);
}

TEST(JobModelTest, EventJsonAsPublishedByTheScripts) {
  v1::JobEvent ev;
  ASSERT_TRUE(EventFromJson(
      R"({"id":"j1","seq":5,"state":"FAILED","stage":"COLLECTING_DATA","progress":20,)"
      R"("attempt":1,"err_code":"NOT_FOUND","err_msg":"no \"x\"","cancel":false,"t":1500})",
      &ev));
  EXPECT_EQ(ev.sequence(), 5);
  EXPECT_EQ(ev.state(), v1::FAILED);
  EXPECT_EQ(ev.stage(), v1::COLLECTING_DATA);
  EXPECT_EQ(ev.error_message(), "no \"x\"");
  EXPECT_EQ(ev.time().seconds(), 1);
  EXPECT_EQ(ev.time().nanos(), 500000000);
  EXPECT_FALSE(EventFromJson("{broken", &ev));
}

TEST(JobModelTest, QuantileByNearestRank) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_EQ(Quantile(v, 0.5), 50);
  EXPECT_EQ(Quantile(v, 0.99), 99);
  EXPECT_EQ(Quantile(v, 1.0), 100);
  EXPECT_EQ(Quantile({}, 0.5), 0);
  EXPECT_EQ(Quantile({7}, 0.99), 7);
}

}  // namespace
}  // namespace quire
