// The pipeline run in-process (as `quirectl render` runs it): stages in
// order with progress, chart images only for charts that are shown and have
// data, and clear failures.
#include "workers/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace quire {
namespace {

class RecordingSink final : public ProgressSink {
 public:
  Status Report(Stage stage, int percent) override {
    stages.push_back(stage);
    percents.push_back(percent);
    return Status::OK();
  }
  bool StopRequested() const override { return false; }
  std::vector<Stage> stages;
  std::vector<int> percents;
};

constexpr const char* kTemplate = R"(id: charts
title: "Charts"
parameters:
  - {name: show, type: bool, default: false}
sources:
  s:
    kind: inline
    columns: [{name: k, type: text}, {name: v, type: float}]
    rows: [[a, 1], [b, 2]]
  remote:
    kind: postgres
    connection: main
    query: "select k, v from t"
    cache_ttl: 60s
    optional: true
    columns: [{name: k, type: text}, {name: v, type: float}]
sections:
  - chart: {type: bar, source: s, x: k, y: [v], title: "Shown"}
  - chart: {type: bar, source: s, x: k, y: [v], title: "Hidden"}
    when: "params.show"
  - chart: {type: bar, source: remote, x: k, y: [v], title: "No data"}
outputs: [pdf, png, svg]
)";

struct PipelineRun {
  Status status;
  RecordingSink sink;
  std::vector<std::string> files;
};

PipelineRun RunPipeline(const std::string& yaml, std::vector<std::pair<std::string, std::string>> params) {
  PipelineRun run;
  std::string dir = ::testing::TempDir() + "/pipeline-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  JobContext ctx;
  ctx.job_id = "local";
  ctx.spec.inline_template = yaml;
  ctx.spec.params = std::move(params);
  ctx.output_dir = dir;
  Pipeline pipeline([&](JobContext& c) -> Status {
    for (const auto& f : std::filesystem::directory_iterator(c.output_dir)) {
      run.files.push_back(f.path().filename().string());
    }
    std::sort(run.files.begin(), run.files.end());
    return Status::OK();
  });
  run.status = pipeline.Run(ctx, run.sink);
  return run;
}

TEST(PipelineTest, StagesRunInOrderWithRisingProgress) {
  PipelineRun run = RunPipeline(kTemplate, {});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink.stages, (std::vector<Stage>{Stage::kValidating, Stage::kCollectingData,
                                                 Stage::kGeneratingCharts, Stage::kRenderingReport,
                                                 Stage::kFinalizing}));
  EXPECT_TRUE(std::is_sorted(run.sink.percents.begin(), run.sink.percents.end()));
}

TEST(PipelineTest, ImagesOnlyForShownChartsWithData) {
  PipelineRun hidden = RunPipeline(kTemplate, {});
  ASSERT_TRUE(hidden.status.ok()) << hidden.status.ToString();
  EXPECT_EQ(hidden.files, (std::vector<std::string>{"chart1.png", "chart1.svg", "report.pdf"}));

  PipelineRun shown = RunPipeline(kTemplate, {{"show", "true"}});
  ASSERT_TRUE(shown.status.ok()) << shown.status.ToString();
  EXPECT_EQ(shown.files, (std::vector<std::string>{"chart1.png", "chart1.svg", "chart2.png",
                                                   "chart2.svg", "report.pdf"}));
}

TEST(PipelineTest, BadParametersFailInValidating) {
  PipelineRun run = RunPipeline(kTemplate, {{"show", "maybe"}});
  EXPECT_EQ(run.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(run.status.message().find("VALIDATING"), std::string::npos) << run.status.message();
  EXPECT_NE(run.status.message().find("show"), std::string::npos) << run.status.message();
  EXPECT_EQ(run.sink.stages, (std::vector<Stage>{Stage::kValidating}));
}

}  // namespace
}  // namespace quire
