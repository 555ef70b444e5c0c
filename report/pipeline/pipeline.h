// Pipeline: runs one report job through its stages — VALIDATING,
// COLLECTING_DATA, GENERATING_CHARTS, RENDERING_REPORT, FINALIZING — in
// order, reporting each stage and the overall progress to a ProgressSink and
// stopping at the first error or cancellation.
//
// The pipeline knows nothing of Redis or leases: the worker plugs in a sink
// that writes to the queue, and `quirectl render` one that prints. Both run
// the same code.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/queue/job.h"
#include "common/resolve/resolved_job.h"
#include "common/store/stored_templates.h"
#include "common/table/table.h"

namespace quire {

class SourceCollector;

// How long each stage may run when the template's `timeouts` set no limit
// (the defaults of the system Quire replaces; config timeouts.*_s).
struct StageLimits {
  std::chrono::milliseconds validate{60000};
  std::chrono::milliseconds collect{300000};
  std::chrono::milliseconds charts{180000};
  std::chrono::milliseconds render{300000};
  std::chrono::milliseconds finalize{30000};

  // The limit of `stage`: the template's, else the default.
  std::chrono::milliseconds For(Stage stage, const StageTimeouts& tmpl) const;
};

// Where the pipeline reports progress. Returns CANCELLED to stop the job
// (a cancel was requested), ABORTED when the job must be abandoned (the
// lease was lost), any other error to fail it.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual Status Report(Stage stage, int percent) = 0;
  // True once the job should stop as soon as it can (cancel or lost lease).
  virtual bool StopRequested() const = 0;
};

// Everything the stages share while a job runs.
struct JobContext {
  // The job as submitted.
  JobSpec spec;
  std::string job_id;
  // Stored templates; may be null when the spec has an inline template.
  TemplateStore* templates = nullptr;
  // Filled by VALIDATING.
  ResolvedJob resolved;
  // Filled by COLLECTING_DATA: one table per source name.
  ReportData data;
  // Where the stages write output files.
  std::string output_dir;
  // Filled by GENERATING_CHARTS and RENDERING_REPORT: files written.
  std::vector<std::string> outputs_written;
  // Checked inside long loops. While a stage runs it also turns true when
  // the stage's time limit or the job's deadline has passed.
  std::function<bool()> cancelled;
  // Time limits of the stages (the template's `timeouts` override them).
  StageLimits limits;
  // The job's own deadline, if it has one: no stage runs past it.
  std::optional<std::chrono::system_clock::time_point> deadline;
  // Fetches the data sources; the worker's, shared by its jobs. Null: a
  // collector with the default options (inline, csv and json under ./data;
  // no HTTP hosts, no PostgreSQL connections).
  SourceCollector* sources = nullptr;
  // Filled by COLLECTING_DATA: why optional sources have no data.
  std::vector<std::string> warnings;
  // Set when a stage failed because Redis, where the job and its template
  // live, could not be reached: not the job's fault, so the worker leaves it
  // to its lease (it runs again) instead of failing it. A data source that
  // is unreachable after its retries fails the job like any other error.
  bool store_unavailable = false;

  // True when the job asks for output `format` ("pdf", "png", ...).
  bool Wants(std::string_view format) const;
};

// One stage: one file in report/pipeline/ (*_stage.cc).
class PipelineStage {
 public:
  virtual ~PipelineStage() = default;
  virtual Stage id() const = 0;
  // Progress percent reached when this stage starts.
  virtual int start_percent() const = 0;
  virtual Status Run(JobContext& ctx) = 0;
};

std::unique_ptr<PipelineStage> MakeValidateStage();
std::unique_ptr<PipelineStage> MakeCollectStage();
std::unique_ptr<PipelineStage> MakeChartStage();
std::unique_ptr<PipelineStage> MakeRenderStage();
// `commit` moves the files of ctx.output_dir to their final home.
std::unique_ptr<PipelineStage> MakeFinalizeStage(std::function<Status(JobContext&)> commit);

class Pipeline {
 public:
  explicit Pipeline(std::function<Status(JobContext&)> commit);
  // Runs every stage. OK when the job completed; CANCELLED / ABORTED from
  // the sink, or the failing stage's error, prefixed with the stage name.
  // A stage still running at its time limit (or the job's deadline) is
  // stopped at its next check and fails with DEADLINE_EXCEEDED naming it.
  Status Run(JobContext& ctx, ProgressSink& sink);

 private:
  std::vector<std::unique_ptr<PipelineStage>> stages_;
};

}  // namespace quire
