// quirectl's schedule commands: `schedules create|list|get|pause|resume|
// delete`, against the gateway's ScheduleService.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace quire {

// Adds `schedules` with its subcommands to `app`.
void RegisterScheduleCommands(CLI::App& app, CliContext& cli);

}  // namespace quire
