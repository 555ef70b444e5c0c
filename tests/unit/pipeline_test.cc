// The pipeline run in-process (as `quirectl render` runs it): stages in
// order with progress, chart images only for charts that are shown and have
// data, and clear failures.
#include "report/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

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

// A chart shown, one hidden by a parameter and one over a source without
// data (`remote`).
std::string ChartsTemplate() {
  return R"(id: charts
title: "Charts"
parameters:
  - {name: show, type: bool, default: false}
sources:
  s:
    kind: inline
    columns: [{name: k, type: text}, {name: v, type: float}]
    rows: [[a, 1], [b, 2]]
)" + test::UnavailableSourceYaml("remote") +
         R"(sections:
  - chart: {type: bar, source: s, x: k, y: [v], title: "Shown"}
  - chart: {type: bar, source: s, x: k, y: [v], title: "Hidden"}
    when: "params.show"
  - chart: {type: bar, source: remote, x: k, y: [v], title: "No data"}
outputs: [pdf, png, svg]
)";
}

struct PipelineRun {
  Status status;
  RecordingSink sink;
  std::vector<std::string> files;
};

PipelineRun RunPipeline(const std::string& yaml,
                        std::vector<std::pair<std::string, std::string>> params) {
  PipelineRun run;
  test::TempDir dir;
  JobContext ctx;
  ctx.job_id = "local";
  ctx.spec.inline_template = yaml;
  ctx.spec.params = std::move(params);
  ctx.output_dir = dir.path();
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
  PipelineRun run = RunPipeline(ChartsTemplate(), {});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink.stages, (std::vector<Stage>{Stage::kValidating, Stage::kCollectingData,
                                                 Stage::kGeneratingCharts, Stage::kRenderingReport,
                                                 Stage::kFinalizing}));
  EXPECT_TRUE(std::is_sorted(run.sink.percents.begin(), run.sink.percents.end()));
}

TEST(PipelineTest, ImagesOnlyForShownChartsWithData) {
  PipelineRun hidden = RunPipeline(ChartsTemplate(), {});
  ASSERT_TRUE(hidden.status.ok()) << hidden.status.ToString();
  EXPECT_EQ(hidden.files, (std::vector<std::string>{"chart1.png", "chart1.svg", "report.pdf"}));

  PipelineRun shown = RunPipeline(ChartsTemplate(), {{"show", "true"}});
  ASSERT_TRUE(shown.status.ok()) << shown.status.ToString();
  EXPECT_EQ(shown.files, (std::vector<std::string>{"chart1.png", "chart1.svg", "chart2.png",
                                                   "chart2.svg", "report.pdf"}));
}

TEST(PipelineTest, BadParametersFailInValidating) {
  PipelineRun run = RunPipeline(ChartsTemplate(), {{"show", "maybe"}});
  EXPECT_EQ(run.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(run.status.message().find("VALIDATING"), std::string::npos) << run.status.message();
  EXPECT_NE(run.status.message().find("show"), std::string::npos) << run.status.message();
  EXPECT_EQ(run.sink.stages, (std::vector<Stage>{Stage::kValidating}));
}

}  // namespace
}  // namespace quire
