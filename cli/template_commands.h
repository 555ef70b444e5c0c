// quirectl's template commands: `templates put|get|list|delete|validate`
// against the gateway, and `validate`, which checks a template file locally
// with no server.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace quire {

// Adds `templates` (with its subcommands) and `validate` to `app`.
void RegisterTemplateCommands(CLI::App& app, CliContext& cli);

}  // namespace quire
