// `quirectl render`: runs the worker's pipeline in-process on a template
// file — validate, collect, chart, render — with no Redis, gateway or
// worker, writing the outputs to a directory. Exits 0, 1 when the pipeline
// failed, or 2 for bad input.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace quire {

void RegisterRenderCommand(CLI::App& app, CliContext& cli);

}  // namespace quire
