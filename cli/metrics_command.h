// `quirectl metrics`: the gateway's snapshot of queue depths, job counts,
// stage latencies, live workers and data-source cache figures.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace quire {

void RegisterMetricsCommand(CLI::App& app, CliContext& cli);

}  // namespace quire
