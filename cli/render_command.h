// `quirectl render`: runs the worker's pipeline in-process on a template
// file — validate, collect, chart, render — with no Redis, gateway or
// worker, writing the outputs to a directory.
#pragma once

#include <string>
#include <vector>

namespace quire {

struct RenderCommandOptions {
  std::string template_path;
  std::vector<std::string> params;  // "name=value"
  std::string output_dir = "out";
  std::vector<std::string> formats;  // empty: the template's outputs
  // Quire config (deploy/quire.yaml) for the data.*, http.* and postgres.*
  // options of the sources; "" for the defaults (and QUIRE_* variables).
  std::string config_path;
};

// Returns the process exit code (0 ok, 1 the pipeline failed, 2 bad input).
int RunRenderCommand(const RenderCommandOptions& options);

}  // namespace quire
