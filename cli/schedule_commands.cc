#include "cli/schedule_commands.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/job_flags.h"
#include "cli/print.h"
#include "quire/v1/schedules.grpc.pb.h"

namespace quire {
namespace {

using Stub = v1::ScheduleService::Stub;

// Every schedule command's flags; one command runs per process.
struct ScheduleFlags {
  std::string id;  // every command but list
  // create
  std::string template_id, cron, time_zone, priority = "NORMAL";
  std::vector<std::string> params, outputs;
  bool paused = false;
};

void PrintSchedule(const v1::Schedule& s) {
  std::printf("%-20s %-7s '%s' %s  template %s  next %s  runs %lld  last job %s%s%s\n",
              s.schedule_id().c_str(), s.paused() ? "paused" : "active", s.cron().c_str(),
              s.time_zone().c_str(), s.job().template_id().c_str(),
              s.has_next_run_at() ? TimestampText(s.next_run_at()).c_str() : "-",
              static_cast<long long>(s.runs()),
              s.last_job_id().empty() ? "-" : s.last_job_id().c_str(),
              s.last_error().empty() ? "" : "  last error: ", s.last_error().c_str());
}

// Prints the schedule a call answered with, as JSON or one line; or, when
// the call failed (`rc` is not 0), nothing, and returns `rc`.
int PrintAnswer(CliContext& cli, int rc, const v1::Schedule& s) {
  if (rc != 0) return rc;
  if (cli.json()) {
    PrintJson(s);
    std::cout << "\n";
  } else {
    PrintSchedule(s);
  }
  return 0;
}

int CreateSchedule(CliContext& cli, const ScheduleFlags& f) {
  v1::CreateScheduleRequest req;
  v1::Schedule* sc = req.mutable_schedule();
  sc->set_schedule_id(f.id);
  sc->set_cron(f.cron);
  sc->set_time_zone(f.time_zone);
  sc->set_paused(f.paused);
  sc->mutable_job()->set_template_id(f.template_id);
  sc->mutable_job()->set_submitter("schedule:" + f.id);
  if (!FillJob(f.priority, f.params, f.outputs, sc->mutable_job())) return kExitUsage;
  v1::Schedule out;
  return PrintAnswer(cli, cli.Call(&Stub::CreateSchedule, req, &out), out);
}

// get, pause and resume: a request naming the schedule, answered with it.
template <typename Request>
int CallForSchedule(CliContext& cli, const std::string& id,
                    grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&,
                                              v1::Schedule*)) {
  Request req;
  req.set_schedule_id(id);
  v1::Schedule out;
  return PrintAnswer(cli, cli.Call(rpc, req, &out), out);
}

int ListSchedules(CliContext& cli) {
  v1::ListSchedulesResponse all;
  int rc = cli.Call(&Stub::ListSchedules, v1::ListSchedulesRequest(), &all);
  if (rc != 0) return rc;
  if (cli.json()) {
    PrintJson(all);
    return 0;
  }
  for (const auto& one : all.schedules()) PrintSchedule(one);
  return 0;
}

int DeleteSchedule(CliContext& cli, const ScheduleFlags& f) {
  v1::DeleteScheduleRequest req;
  req.set_schedule_id(f.id);
  v1::DeleteScheduleResponse resp;
  if (int rc = cli.Call(&Stub::DeleteSchedule, req, &resp)) return rc;
  std::printf("deleted %s\n", f.id.c_str());
  return 0;
}

}  // namespace

void RegisterScheduleCommands(CLI::App& app, CliContext& cli) {
  auto f = std::make_shared<ScheduleFlags>();

  auto* schedules = app.add_subcommand("schedules", "Manage recurring report schedules");
  schedules->require_subcommand(1);
  auto* create = schedules->add_subcommand("create", "Create a recurring schedule");
  create->add_option("id", f->id, "Schedule id")->required();
  create->add_option("template", f->template_id, "Stored template id")->required();
  create
      ->add_option("--cron", f->cron,
                   "When: \"min hour day month weekday\" (or with a leading second), "
                   "e.g. \"0 6 1 * *\"")
      ->required();
  create->add_option("--tz", f->time_zone, "IANA time zone, e.g. Europe/Berlin (default UTC)");
  create->add_option("-p,--param", f->params, "Parameter name=value (repeatable)");
  create->add_option("--priority", f->priority, "LOW, NORMAL, HIGH or URGENT")
      ->capture_default_str();
  create->add_option("--output", f->outputs, "Output format (repeatable)");
  create->add_flag("--paused", f->paused, "Create it paused");
  cli.OnRun(create, [&cli, f] { return CreateSchedule(cli, *f); });
  auto* list = schedules->add_subcommand("list", "List schedules");
  cli.OnRun(list, [&cli] { return ListSchedules(cli); });
  auto* get = schedules->add_subcommand("get", "Show a schedule");
  get->add_option("id", f->id)->required();
  cli.OnRun(get, [&cli, f] { return CallForSchedule(cli, f->id, &Stub::GetSchedule); });
  auto* pause = schedules->add_subcommand("pause", "Stop a schedule's runs");
  pause->add_option("id", f->id)->required();
  cli.OnRun(pause, [&cli, f] { return CallForSchedule(cli, f->id, &Stub::PauseSchedule); });
  auto* resume = schedules->add_subcommand("resume", "Run a paused schedule again");
  resume->add_option("id", f->id)->required();
  cli.OnRun(resume, [&cli, f] { return CallForSchedule(cli, f->id, &Stub::ResumeSchedule); });
  auto* remove = schedules->add_subcommand("delete", "Delete a schedule");
  remove->add_option("id", f->id)->required();
  cli.OnRun(remove, [&cli, f] { return DeleteSchedule(cli, *f); });
}

}  // namespace quire
