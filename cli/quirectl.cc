// quirectl: Quire's command line. Talks to a gateway over gRPC (submit, get,
// watch, cancel, requeue, list, templates, metrics, schedules) or runs a
// report in-process with no server at all (render, validate). Each command
// group registers itself; the exit codes are in cli_context.h.
#include <CLI/CLI.hpp>

#include "cli/cli_context.h"
#include "cli/job_commands.h"
#include "cli/metrics_command.h"
#include "cli/render_command.h"
#include "cli/schedule_commands.h"
#include "cli/template_commands.h"

int main(int argc, char** argv) {
  quire::CliContext cli;
  CLI::App app{"quirectl: submit, follow and manage Quire report jobs"};
  app.require_subcommand(1);
  cli.AddGlobalFlags(app);
  // In the order `quirectl --help` lists them.
  quire::RegisterJobCommands(app, cli);
  quire::RegisterTemplateCommands(app, cli);
  quire::RegisterMetricsCommand(app, cli);
  quire::RegisterScheduleCommands(app, cli);
  quire::RegisterRenderCommand(app, cli);

  // The command runs in its callback, at the end of a successful parse.
  CLI11_PARSE(app, argc, argv);
  return cli.exit_code();
}
