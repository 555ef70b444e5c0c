#include "cli/render_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/job_flags.h"
#include "common/base/config.h"
#include "report/data/collector.h"
#include "report/pipeline/pipeline.h"

namespace quire {
namespace {

struct RenderFlags {
  std::string template_path;
  std::vector<std::string> params;  // "name=value"
  std::string output_dir = "out";
  std::vector<std::string> formats;  // empty: the template's outputs
  // Quire config (deploy/quire.yaml) for the data.*, http.* and postgres.*
  // options of the sources; "" for the defaults (and QUIRE_* variables).
  std::string config_path;
};

// Prints each stage as it starts.
class ConsoleSink final : public ProgressSink {
 public:
  Status Report(Stage stage, int percent) override {
    std::fprintf(stderr, "%3d%% %s\n", percent, StageName(stage));
    return Status::OK();
  }
  bool StopRequested() const override { return false; }
};

int Render(const RenderFlags& options) {
  std::string yaml;
  if (!ReadInputFile(options.template_path, &yaml)) return kExitUsage;

  auto config = Config::Load(options.config_path, {});
  if (!config.ok()) {
    std::fprintf(stderr, "quirectl: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  auto collector_options = CollectorOptions::FromConfig(*config);
  if (!collector_options.ok()) {
    std::fprintf(stderr, "quirectl: %s\n", collector_options.status().message().c_str());
    return kExitUsage;
  }
  SourceCollector sources(std::move(*collector_options));

  JobContext ctx;
  ctx.job_id = "local";
  ctx.sources = &sources;
  ctx.spec.inline_template = std::move(yaml);
  ctx.spec.outputs = options.formats;
  for (const auto& p : options.params) {
    std::string name, value;
    if (!ParseParam(p, &name, &value)) return kExitUsage;
    ctx.spec.params.emplace_back(std::move(name), std::move(value));
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path staging = fs::path(options.output_dir) / ".quire-render";
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) {
    std::fprintf(stderr, "quirectl: cannot create '%s': %s\n", staging.c_str(),
                 ec.message().c_str());
    return kExitUsage;
  }
  ctx.output_dir = staging.string();
  std::vector<std::string> written;
  Pipeline pipeline([&](JobContext& c) -> Status {
    for (const auto& f : fs::directory_iterator(c.output_dir)) {
      fs::path dest = fs::path(options.output_dir) / f.path().filename();
      std::error_code e;
      fs::rename(f.path(), dest, e);
      if (e) return Status::Internal("cannot write '" + dest.string() + "': " + e.message());
      written.push_back(dest.string());
    }
    return Status::OK();
  });
  ConsoleSink sink;
  auto start = std::chrono::steady_clock::now();
  Status s = pipeline.Run(ctx, sink);
  fs::remove_all(staging, ec);
  if (!s.ok()) {
    std::fprintf(stderr, "quirectl: render failed: %s\n", s.ToString().c_str());
    return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitJobFailed;
  }
  for (const auto& issue : ctx.resolved.issues) {
    std::fprintf(stderr, "%s:%s\n", options.template_path.c_str(), FormatIssue(issue).c_str());
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::sort(written.begin(), written.end());
  for (const auto& w : written) std::printf("wrote %s\n", w.c_str());
  std::fprintf(stderr, "rendered in %.1f ms\n", ms);
  return 0;
}

}  // namespace

void RegisterRenderCommand(CLI::App& app, CliContext& cli) {
  auto f = std::make_shared<RenderFlags>();
  auto* render = app.add_subcommand("render", "Render a template locally, with no server");
  render->add_option("template", f->template_path, "Template YAML file")->required();
  render->add_option("-p,--param", f->params, "Parameter name=value (repeatable)");
  render->add_option("-o,--out", f->output_dir, "Output directory")->capture_default_str();
  render->add_option("--output", f->formats, "Output format (repeatable)");
  render->add_option("-c,--config", f->config_path,
                     "Quire config with the data source options (data.*, http.*, postgres.*)");
  cli.OnRun(render, [f] { return Render(*f); });
}

}  // namespace quire
