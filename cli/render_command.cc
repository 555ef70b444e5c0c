#include "cli/render_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/base/config.h"
#include "report/data/collector.h"
#include "report/pipeline/pipeline.h"

namespace quire {
namespace {

// Prints each stage as it starts.
class ConsoleSink final : public ProgressSink {
 public:
  Status Report(Stage stage, int percent) override {
    std::fprintf(stderr, "%3d%% %s\n", percent, StageName(stage));
    return Status::OK();
  }
  bool StopRequested() const override { return false; }
};

}  // namespace

int RunRenderCommand(const RenderCommandOptions& options) {
  std::ifstream in(options.template_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "quirectl: cannot read '%s'\n", options.template_path.c_str());
    return 2;
  }
  std::ostringstream yaml;
  yaml << in.rdbuf();

  auto config = Config::Load(options.config_path, {});
  if (!config.ok()) {
    std::fprintf(stderr, "quirectl: %s\n", config.status().message().c_str());
    return 2;
  }
  auto collector_options = CollectorOptions::FromConfig(*config);
  if (!collector_options.ok()) {
    std::fprintf(stderr, "quirectl: %s\n", collector_options.status().message().c_str());
    return 2;
  }
  SourceCollector sources(std::move(*collector_options));

  JobContext ctx;
  ctx.job_id = "local";
  ctx.sources = &sources;
  ctx.spec.inline_template = yaml.str();
  ctx.spec.outputs = options.formats;
  for (const auto& p : options.params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "quirectl: parameter '%s' must be name=value\n", p.c_str());
      return 2;
    }
    ctx.spec.params.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path staging = fs::path(options.output_dir) / ".quire-render";
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) {
    std::fprintf(stderr, "quirectl: cannot create '%s': %s\n", staging.c_str(),
                 ec.message().c_str());
    return 2;
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
    return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
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

}  // namespace quire
