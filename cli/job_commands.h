// quirectl's job commands, against the gateway: submit (optionally waiting
// for the job and downloading its artifacts), get, watch, cancel, requeue,
// download and list.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace quire {

// Adds the job commands to `app`, each running through `cli`.
void RegisterJobCommands(CLI::App& app, CliContext& cli);

}  // namespace quire
