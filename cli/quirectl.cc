// quirectl: Quire's command line. Talks to a gateway over gRPC (submit, get,
// watch, cancel, requeue, list, templates, metrics) or runs a report in-process with
// no server at all (render).
//
// Exit codes a script can rely on:
//   0 success
//   1 the job ended FAILED or CANCELLED (submit --wait, watch)
//   2 bad usage or input file (also: a template with ERROR findings)
//   3 the gateway answered with an error (its gRPC code is printed)
//   4 the gateway could not be reached (UNAVAILABLE / deadline)
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/render_command.h"
#include "common/base/status.h"
#include "common/template/template.h"
#include "quire/v1/jobs.grpc.pb.h"
#include "quire/v1/ops.grpc.pb.h"
#include "quire/v1/schedules.grpc.pb.h"
#include "quire/v1/templates.grpc.pb.h"

namespace v1 = quire::v1;

namespace {

constexpr int kExitJobFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRpc = 3;
constexpr int kExitUnavailable = 4;

struct Globals {
  std::string addr = "127.0.0.1:50051";
  bool json = false;
  double timeout_s = 30;
};

int RpcError(const grpc::Status& s) {
  std::fprintf(stderr, "quirectl: %s: %s\n",
               quire::StatusCodeName(static_cast<quire::StatusCode>(s.error_code())),
               s.error_message().c_str());
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return kExitUnavailable;
  }
  return kExitRpc;
}

std::unique_ptr<grpc::ClientContext> Context(const Globals& g, bool deadline = true) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (deadline) {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(static_cast<int64_t>(g.timeout_s * 1000)));
  }
  return ctx;
}

void PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  std::cout << out;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

void PrintIssues(const std::string& file,
                 const google::protobuf::RepeatedPtrField<v1::ValidationIssue>& issues) {
  static const char* kSev[] = {"?", "info", "warning", "error", "critical"};
  for (const auto& i : issues) {
    std::fprintf(stderr, "%s:%d:%d: %s: %s [%s]%s%s%s\n", file.c_str(), i.line(), i.column(),
                 kSev[std::clamp(static_cast<int>(i.severity()), 0, 4)], i.message().c_str(),
                 i.code().c_str(), i.path().empty() ? "" : " (", i.path().c_str(),
                 i.path().empty() ? "" : ")");
    if (!i.suggestion().empty()) std::fprintf(stderr, "  suggestion: %s\n", i.suggestion().c_str());
  }
}

std::string Ts(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  std::time_t s = t.seconds();
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", std::gmtime(&s));
  return std::string(buf) + "." + std::to_string(t.nanos() / 1000000 + 1000).substr(1) + "Z";
}

void PrintJob(const v1::Job& j) {
  std::printf("job        %s\n", j.job_id().c_str());
  std::printf("template   %s v%lld\n", j.template_id().c_str(),
              static_cast<long long>(j.template_version()));
  std::printf("priority   %s\n", v1::Priority_Name(j.priority()).c_str());
  std::printf("state      %s%s\n", v1::JobState_Name(j.state()).c_str(),
              j.cancel_requested() && j.state() == v1::RUNNING ? " (cancel requested)" : "");
  std::printf("stage      %s\n", v1::Stage_Name(j.stage()).c_str());
  std::printf("progress   %d%%\n", j.progress_percent());
  std::printf("attempt    %d\n", j.attempt());
  std::printf("worker     %s\n", j.worker_id().empty() ? "-" : j.worker_id().c_str());
  std::printf("created    %s\nstarted    %s\nfinished   %s\n", Ts(j.created_at()).c_str(),
              Ts(j.started_at()).c_str(), Ts(j.finished_at()).c_str());
  for (const auto& p : j.parameters())
    std::printf("param      %s=%s\n", p.name().c_str(), p.value().c_str());
  for (const auto& t : j.stage_timings()) {
    double ms = t.has_finished_at()
                    ? (t.finished_at().seconds() - t.started_at().seconds()) * 1000.0 +
                          (t.finished_at().nanos() - t.started_at().nanos()) / 1e6
                    : -1;
    std::printf("timing     %-18s %s\n", v1::Stage_Name(t.stage()).c_str(),
                ms < 0 ? "running" : (std::to_string(static_cast<long long>(ms)) + " ms").c_str());
  }
  if (!j.error_code().empty()) {
    std::printf("error      %s: %s\n", j.error_code().c_str(), j.error_message().c_str());
  }
  for (const auto& w : j.warnings()) std::printf("warning    %s\n", w.c_str());
  if (j.has_next_attempt_at()) std::printf("next try   %s\n", Ts(j.next_attempt_at()).c_str());
  if (j.has_run_at()) std::printf("run at     %s\n", Ts(j.run_at()).c_str());
  if (j.has_deadline()) std::printf("deadline   %s\n", Ts(j.deadline()).c_str());
  for (const auto& e : j.attempt_errors()) {
    std::printf("attempt %-2d %s: %s (%s, %s)\n", e.attempt(), e.error_code().c_str(),
                e.error_message().c_str(), e.worker_id().empty() ? "-" : e.worker_id().c_str(),
                Ts(e.finished_at()).c_str());
  }
  if (j.fresh_data()) std::printf("fresh data yes\n");
  for (const auto& a : j.artifacts()) {
    std::printf("artifact   %s (%s, %lld bytes, sha256 %s)\n", a.name().c_str(),
                a.content_type().c_str(), static_cast<long long>(a.size_bytes()),
                a.sha256().substr(0, 16).c_str());
  }
}

// Parses "name=value" pairs into request parameters; false, after a
// message, for one without a name or '='.
bool AddParams(const std::vector<std::string>& in,
               google::protobuf::RepeatedPtrField<v1::ParameterValue>* out) {
  for (const auto& p : in) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "quirectl: parameter '%s' must be name=value\n", p.c_str());
      return false;
    }
    v1::ParameterValue* v = out->Add();
    v->set_name(p.substr(0, eq));
    v->set_value(p.substr(eq + 1));
  }
  return true;
}

int Download(v1::JobService::Stub& stub, const Globals& g, const v1::Job& job,
             const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& a : job.artifacts()) {
    auto ctx = Context(g);
    v1::GetArtifactRequest req;
    req.set_job_id(job.job_id());
    req.set_name(a.name());
    auto reader = stub.GetArtifact(ctx.get(), req);
    std::string path = dir + "/" + a.name();
    std::ofstream out(path + ".partial", std::ios::binary);
    v1::ArtifactChunk chunk;
    int64_t got = 0;
    while (reader->Read(&chunk)) {
      out.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
      got += static_cast<int64_t>(chunk.data().size());
    }
    out.close();
    grpc::Status s = reader->Finish();
    if (!s.ok()) return RpcError(s);
    if (got != a.size_bytes()) {
      std::fprintf(stderr, "quirectl: %s: got %lld of %lld bytes\n", a.name().c_str(),
                   static_cast<long long>(got), static_cast<long long>(a.size_bytes()));
      return kExitRpc;
    }
    std::filesystem::rename(path + ".partial", path);
    std::printf("wrote %s (%lld bytes)\n", path.c_str(), static_cast<long long>(got));
  }
  return 0;
}

// Follows a job until it ends; returns its final state, or a gRPC error.
int Watch(v1::JobService::Stub& stub, const Globals& g, const std::string& id, bool quiet,
          v1::JobState* final_state) {
  auto ctx = Context(g, /*deadline=*/false);
  v1::WatchJobRequest req;
  req.set_job_id(id);
  auto reader = stub.WatchJob(ctx.get(), req);
  v1::JobEvent ev;
  while (reader->Read(&ev)) {
    *final_state = ev.state();
    if (g.json) {
      PrintJson(ev);
      std::cout << "\n";
    } else if (!quiet) {
      std::printf("%s %-9s %-18s %3d%%%s%s\n", id.c_str(), v1::JobState_Name(ev.state()).c_str(),
                  ev.stage() ? v1::Stage_Name(ev.stage()).c_str() : "-", ev.progress_percent(),
                  ev.error_code().empty() ? "" : "  ", ev.error_message().c_str());
    }
    std::fflush(stdout);
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return RpcError(s);
  return 0;
}

}  // namespace

// Fills a job request's priority, parameters and outputs from the command
// line; false, after a message, for a bad one.
bool FillJob(const std::string& priority, const std::vector<std::string>& params,
             const std::vector<std::string>& outputs, v1::SubmitJobRequest* req) {
  v1::Priority prio;
  if (!v1::Priority_Parse(priority, &prio) || prio == v1::PRIORITY_UNSPECIFIED) {
    std::fprintf(stderr, "quirectl: --priority must be LOW, NORMAL, HIGH or URGENT\n");
    return false;
  }
  req->set_priority(prio);
  if (!AddParams(params, req->mutable_parameters())) return false;
  for (const auto& o : outputs) {
    std::string upper;
    for (char c : o) upper += static_cast<char>(std::toupper(c));
    v1::OutputFormat f;
    if (!v1::OutputFormat_Parse(upper, &f) || f == v1::OUTPUT_FORMAT_UNSPECIFIED) {
      std::fprintf(stderr, "quirectl: unknown output format '%s'\n", o.c_str());
      return false;
    }
    req->add_outputs(f);
  }
  return true;
}

void PrintSchedule(const v1::Schedule& s) {
  std::printf("%-20s %-7s '%s' %s  template %s  next %s  runs %lld  last job %s%s%s\n",
              s.schedule_id().c_str(), s.paused() ? "paused" : "active", s.cron().c_str(),
              s.time_zone().c_str(), s.job().template_id().c_str(),
              s.has_next_run_at() ? Ts(s.next_run_at()).c_str() : "-",
              static_cast<long long>(s.runs()),
              s.last_job_id().empty() ? "-" : s.last_job_id().c_str(),
              s.last_error().empty() ? "" : "  last error: ", s.last_error().c_str());
}

int main(int argc, char** argv) {
  CLI::App app{"quirectl: submit, follow and manage Quire report jobs"};
  app.require_subcommand(1);
  Globals g;
  if (const char* env = std::getenv("QUIRE_ADDR")) g.addr = env;
  app.add_option("--addr", g.addr, "Gateway address (env QUIRE_ADDR)")->capture_default_str();
  app.add_flag("--json", g.json, "Print JSON instead of text");
  app.add_option("--timeout", g.timeout_s, "Per-call deadline in seconds")->capture_default_str();

  // submit
  auto* submit = app.add_subcommand("submit", "Submit a report job");
  std::string s_template, s_file, s_priority = "NORMAL", s_idem, s_out = "out";
  int64_t s_version = 0;
  std::vector<std::string> s_params, s_outputs;
  bool s_wait = false;
  submit->add_option("template", s_template, "Stored template id");
  submit->add_option("--file", s_file, "Submit an inline template from this YAML file");
  submit->add_option("--version", s_version, "Template version (default: latest)");
  submit->add_option("-p,--param", s_params, "Parameter name=value (repeatable)");
  submit->add_option("--priority", s_priority, "LOW, NORMAL, HIGH or URGENT")
      ->capture_default_str();
  submit->add_option("--output", s_outputs,
                     "Output format (repeatable): pdf, xlsx, png, svg, csv, json");
  submit->add_option("--idempotency-key", s_idem, "Returns the existing job for a repeated key");
  submit->add_flag("--wait", s_wait, "Watch until the job ends, then download its artifacts");
  bool s_fresh = false;
  submit->add_flag("--fresh-data", s_fresh, "Fetch every data source anew (no cached tables)");
  std::string s_run_at;
  submit->add_option("--run-at", s_run_at,
                     "Start no earlier than this UTC time: YYYY-MM-DDTHH:MM[:SS][Z]");
  submit->add_option("-o,--out", s_out, "Where --wait writes artifacts")->capture_default_str();

  std::string job_id;
  auto* get = app.add_subcommand("get", "Show a job");
  get->add_option("job_id", job_id)->required();
  auto* watch = app.add_subcommand("watch", "Follow a job until it ends");
  watch->add_option("job_id", job_id)->required();
  auto* cancel = app.add_subcommand("cancel", "Cancel a job");
  cancel->add_option("job_id", job_id)->required();
  auto* requeue = app.add_subcommand("requeue", "Send a FAILED job back to its queue");
  requeue->add_option("job_id", job_id)->required();
  auto* download = app.add_subcommand("download", "Download a completed job's artifacts");
  download->add_option("job_id", job_id)->required();
  download->add_option("-o,--out", s_out, "Directory")->capture_default_str();

  auto* list = app.add_subcommand("list", "List jobs, newest first");
  std::string l_state, l_template, l_priority, l_token;
  int l_size = 20;
  list->add_option("--state", l_state,
                   "SCHEDULED, QUEUED, RUNNING, RETRY_SCHEDULED, COMPLETED, FAILED, CANCELLED");
  list->add_option("--template", l_template, "Template id");
  list->add_option("--priority", l_priority, "LOW, NORMAL, HIGH, URGENT");
  list->add_option("--limit", l_size, "Page size")->capture_default_str();
  list->add_option("--page-token", l_token, "Token printed by the previous page");

  auto* templates = app.add_subcommand("templates", "Manage templates");
  templates->require_subcommand(1);
  std::string t_file, t_id;
  int64_t t_version = 0;
  auto* t_put = templates->add_subcommand("put", "Store a template (new version)");
  t_put->add_option("file", t_file)->required();
  auto* t_get = templates->add_subcommand("get", "Print a template's YAML");
  t_get->add_option("id", t_id)->required();
  t_get->add_option("--version", t_version);
  auto* t_list = templates->add_subcommand("list", "List templates");
  auto* t_delete = templates->add_subcommand("delete", "Delete a template and all its versions");
  t_delete->add_option("id", t_id)->required();
  auto* t_validate = templates->add_subcommand("validate", "Validate a template on the gateway");
  t_validate->add_option("file", t_file)->required();
  std::vector<std::string> t_params;
  t_validate->add_option("-p,--param", t_params,
                         "Parameter name=value the sources are fetched with (repeatable)");

  auto* validate = app.add_subcommand("validate", "Validate a template file locally (no server)");
  validate->add_option("file", t_file)->required();

  auto* metrics = app.add_subcommand("metrics", "Show queue and worker metrics");

  auto* schedules = app.add_subcommand("schedules", "Manage recurring report schedules");
  schedules->require_subcommand(1);
  std::string sc_id, sc_template, sc_cron, sc_tz, sc_priority = "NORMAL";
  std::vector<std::string> sc_params, sc_outputs;
  bool sc_paused = false;
  auto* sc_create = schedules->add_subcommand("create", "Create a recurring schedule");
  sc_create->add_option("id", sc_id, "Schedule id")->required();
  sc_create->add_option("template", sc_template, "Stored template id")->required();
  sc_create
      ->add_option("--cron", sc_cron,
                   "When: \"min hour day month weekday\" (or with a leading second), "
                   "e.g. \"0 6 1 * *\"")
      ->required();
  sc_create->add_option("--tz", sc_tz, "IANA time zone, e.g. Europe/Berlin (default UTC)");
  sc_create->add_option("-p,--param", sc_params, "Parameter name=value (repeatable)");
  sc_create->add_option("--priority", sc_priority, "LOW, NORMAL, HIGH or URGENT")
      ->capture_default_str();
  sc_create->add_option("--output", sc_outputs, "Output format (repeatable)");
  sc_create->add_flag("--paused", sc_paused, "Create it paused");
  auto* sc_list = schedules->add_subcommand("list", "List schedules");
  auto* sc_get = schedules->add_subcommand("get", "Show a schedule");
  sc_get->add_option("id", sc_id)->required();
  auto* sc_pause = schedules->add_subcommand("pause", "Stop a schedule's runs");
  sc_pause->add_option("id", sc_id)->required();
  auto* sc_resume = schedules->add_subcommand("resume", "Run a paused schedule again");
  sc_resume->add_option("id", sc_id)->required();
  auto* sc_delete = schedules->add_subcommand("delete", "Delete a schedule");
  sc_delete->add_option("id", sc_id)->required();

  quire::RenderCommandOptions r_opts;
  auto* render = app.add_subcommand("render", "Render a template locally, with no server");
  render->add_option("template", r_opts.template_path, "Template YAML file")->required();
  render->add_option("-p,--param", r_opts.params, "Parameter name=value (repeatable)");
  render->add_option("-o,--out", r_opts.output_dir, "Output directory")->capture_default_str();
  render->add_option("--output", r_opts.formats, "Output format (repeatable)");
  render->add_option("-c,--config", r_opts.config_path,
                     "Quire config with the data source options (data.*, http.*, postgres.*)");

  CLI11_PARSE(app, argc, argv);

  // Commands that need no server.
  if (validate->parsed()) {
    std::string yaml;
    if (!ReadFile(t_file, &yaml)) {
      std::fprintf(stderr, "quirectl: cannot read '%s'\n", t_file.c_str());
      return kExitUsage;
    }
    auto parsed = quire::ParseTemplate(yaml);
    // In file order, as a compiler prints them.
    std::stable_sort(parsed.issues.begin(), parsed.issues.end(), [](const auto& a, const auto& b) {
      return std::make_pair(a.line, a.column) < std::make_pair(b.line, b.column);
    });
    for (const auto& issue : parsed.issues) {
      std::fprintf(stderr, "%s:%s\n", t_file.c_str(), quire::FormatIssue(issue).c_str());
    }
    return quire::HasBlockingIssues(parsed.issues) ? kExitUsage : 0;
  }
  if (render->parsed()) return quire::RunRenderCommand(r_opts);

  auto channel = grpc::CreateChannel(g.addr, grpc::InsecureChannelCredentials());
  v1::JobService::Stub jobs(channel);
  v1::TemplateService::Stub tpl(channel);
  v1::OpsService::Stub ops(channel);
  v1::ScheduleService::Stub sched(channel);

  if (schedules->parsed()) {
    v1::Schedule out;
    grpc::Status s;
    auto ctx = Context(g);
    if (sc_create->parsed()) {
      v1::CreateScheduleRequest req;
      v1::Schedule* sc = req.mutable_schedule();
      sc->set_schedule_id(sc_id);
      sc->set_cron(sc_cron);
      sc->set_time_zone(sc_tz);
      sc->set_paused(sc_paused);
      sc->mutable_job()->set_template_id(sc_template);
      sc->mutable_job()->set_submitter("schedule:" + sc_id);
      if (!FillJob(sc_priority, sc_params, sc_outputs, sc->mutable_job())) return kExitUsage;
      s = sched.CreateSchedule(ctx.get(), req, &out);
    } else if (sc_list->parsed()) {
      v1::ListSchedulesResponse all;
      s = sched.ListSchedules(ctx.get(), v1::ListSchedulesRequest(), &all);
      if (!s.ok()) return RpcError(s);
      if (g.json) {
        PrintJson(all);
        return 0;
      }
      for (const auto& one : all.schedules()) PrintSchedule(one);
      return 0;
    } else if (sc_delete->parsed()) {
      v1::DeleteScheduleRequest req;
      req.set_schedule_id(sc_id);
      v1::DeleteScheduleResponse resp;
      s = sched.DeleteSchedule(ctx.get(), req, &resp);
      if (!s.ok()) return RpcError(s);
      std::printf("deleted %s\n", sc_id.c_str());
      return 0;
    } else if (sc_pause->parsed()) {
      v1::PauseScheduleRequest req;
      req.set_schedule_id(sc_id);
      s = sched.PauseSchedule(ctx.get(), req, &out);
    } else if (sc_resume->parsed()) {
      v1::ResumeScheduleRequest req;
      req.set_schedule_id(sc_id);
      s = sched.ResumeSchedule(ctx.get(), req, &out);
    } else {
      v1::GetScheduleRequest req;
      req.set_schedule_id(sc_id);
      s = sched.GetSchedule(ctx.get(), req, &out);
    }
    if (!s.ok()) return RpcError(s);
    if (g.json) {
      PrintJson(out);
      std::cout << "\n";
    } else {
      PrintSchedule(out);
    }
    return 0;
  }

  if (submit->parsed()) {
    v1::SubmitJobRequest req;
    if (!s_file.empty()) {
      if (!ReadFile(s_file, req.mutable_inline_template())) {
        std::fprintf(stderr, "quirectl: cannot read '%s'\n", s_file.c_str());
        return kExitUsage;
      }
    } else if (s_template.empty()) {
      std::fprintf(stderr, "quirectl: submit needs a template id or --file\n");
      return kExitUsage;
    }
    req.set_template_id(s_template);
    req.set_template_version(s_version);
    if (!FillJob(s_priority, s_params, s_outputs, &req)) return kExitUsage;
    req.set_idempotency_key(s_idem);
    req.set_submitter("quirectl");
    req.set_fresh_data(s_fresh);
    if (!s_run_at.empty()) {
      std::optional<int64_t> at = quire::ParseDatetime(s_run_at);
      if (!at) {
        std::fprintf(stderr, "quirectl: --run-at '%s' is not YYYY-MM-DDTHH:MM[:SS][Z] (UTC)\n",
                     s_run_at.c_str());
        return kExitUsage;
      }
      req.mutable_run_at()->set_seconds(*at);
    }
    v1::SubmitJobResponse resp;
    auto ctx = Context(g);
    grpc::Status s = jobs.SubmitJob(ctx.get(), req, &resp);
    if (!s.ok()) return RpcError(s);
    PrintIssues(s_file.empty() ? s_template : s_file, resp.issues());
    if (g.json) {
      PrintJson(resp);
      std::cout << "\n";
    } else {
      std::printf("%s\n", resp.job_id().c_str());
    }
    if (!s_wait) return 0;
    v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
    int rc = Watch(jobs, g, resp.job_id(), false, &state);
    if (rc != 0) return rc;
    v1::GetJobRequest gr;
    gr.set_job_id(resp.job_id());
    v1::Job job;
    auto gctx = Context(g);
    s = jobs.GetJob(gctx.get(), gr, &job);
    if (!s.ok()) return RpcError(s);
    if (job.state() != v1::COMPLETED) {
      std::fprintf(stderr, "quirectl: job %s ended %s: %s: %s\n", job.job_id().c_str(),
                   v1::JobState_Name(job.state()).c_str(), job.error_code().c_str(),
                   job.error_message().c_str());
      return kExitJobFailed;
    }
    return Download(jobs, g, job, s_out);
  }

  if (get->parsed() || download->parsed()) {
    v1::GetJobRequest req;
    req.set_job_id(job_id);
    v1::Job job;
    auto ctx = Context(g);
    grpc::Status s = jobs.GetJob(ctx.get(), req, &job);
    if (!s.ok()) return RpcError(s);
    if (download->parsed()) return Download(jobs, g, job, s_out);
    if (g.json) {
      PrintJson(job);
    } else {
      PrintJob(job);
    }
    return 0;
  }

  if (watch->parsed()) {
    v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
    int rc = Watch(jobs, g, job_id, false, &state);
    if (rc != 0) return rc;
    return state == v1::COMPLETED ? 0 : kExitJobFailed;
  }

  if (cancel->parsed()) {
    v1::CancelJobRequest req;
    req.set_job_id(job_id);
    v1::CancelJobResponse resp;
    auto ctx = Context(g);
    grpc::Status s = jobs.CancelJob(ctx.get(), req, &resp);
    if (!s.ok()) return RpcError(s);
    std::printf("%s %s\n", job_id.c_str(),
                resp.state() == v1::RUNNING ? "cancel requested (running)"
                                            : v1::JobState_Name(resp.state()).c_str());
    return 0;
  }

  if (requeue->parsed()) {
    v1::RequeueJobRequest req;
    req.set_job_id(job_id);
    v1::RequeueJobResponse resp;
    auto ctx = Context(g);
    grpc::Status s = ops.RequeueJob(ctx.get(), req, &resp);
    if (!s.ok()) return RpcError(s);
    std::printf("%s %s\n", job_id.c_str(), v1::JobState_Name(resp.state()).c_str());
    return 0;
  }

  if (list->parsed()) {
    v1::ListJobsRequest req;
    if (!l_state.empty()) {
      v1::JobState st;
      if (!v1::JobState_Parse(l_state, &st)) {
        std::fprintf(stderr, "quirectl: unknown state '%s'\n", l_state.c_str());
        return kExitUsage;
      }
      req.set_state(st);
    }
    if (!l_priority.empty()) {
      v1::Priority p;
      if (!v1::Priority_Parse(l_priority, &p)) {
        std::fprintf(stderr, "quirectl: unknown priority '%s'\n", l_priority.c_str());
        return kExitUsage;
      }
      req.set_priority(p);
    }
    req.set_template_id(l_template);
    req.set_page_size(l_size);
    req.set_page_token(l_token);
    v1::ListJobsResponse resp;
    auto ctx = Context(g);
    grpc::Status s = jobs.ListJobs(ctx.get(), req, &resp);
    if (!s.ok()) return RpcError(s);
    if (g.json) {
      PrintJson(resp);
      return 0;
    }
    for (const auto& j : resp.jobs()) {
      std::printf("%s  %-9s %-7s %-18s %3d%%  %s v%lld\n", j.job_id().c_str(),
                  v1::JobState_Name(j.state()).c_str(), v1::Priority_Name(j.priority()).c_str(),
                  j.stage() ? v1::Stage_Name(j.stage()).c_str() : "-", j.progress_percent(),
                  j.template_id().c_str(), static_cast<long long>(j.template_version()));
    }
    if (!resp.next_page_token().empty()) {
      std::printf("next page: --page-token %s\n", resp.next_page_token().c_str());
    }
    return 0;
  }

  if (t_put->parsed() || t_validate->parsed()) {
    std::string yaml;
    if (!ReadFile(t_file, &yaml)) {
      std::fprintf(stderr, "quirectl: cannot read '%s'\n", t_file.c_str());
      return kExitUsage;
    }
    auto ctx = Context(g);
    if (t_put->parsed()) {
      v1::PutTemplateRequest req;
      req.set_yaml(yaml);
      v1::PutTemplateResponse resp;
      grpc::Status s = tpl.PutTemplate(ctx.get(), req, &resp);
      if (!s.ok()) return RpcError(s);
      PrintIssues(t_file, resp.issues());
      std::printf("%s v%lld\n", resp.template_id().c_str(), static_cast<long long>(resp.version()));
      return 0;
    }
    v1::ValidateTemplateRequest req;
    req.set_yaml(yaml);
    req.set_test_sources(true);
    if (!AddParams(t_params, req.mutable_parameters())) return kExitUsage;
    v1::ValidateTemplateResponse resp;
    grpc::Status s = tpl.ValidateTemplate(ctx.get(), req, &resp);
    if (!s.ok()) return RpcError(s);
    PrintIssues(t_file, resp.issues());
    for (const auto& src : resp.sources()) {
      std::printf("source %s: %lld rows, %d columns, %.2f ms%s%s\n", src.source().c_str(),
                  static_cast<long long>(src.rows()), src.columns_size(), src.elapsed_ms(),
                  src.error().empty() ? "" : ", error: ", src.error().c_str());
    }
    return resp.valid() ? 0 : kExitUsage;
  }
  if (t_get->parsed()) {
    v1::GetTemplateRequest req;
    req.set_template_id(t_id);
    req.set_version(t_version);
    v1::TemplateInfo resp;
    auto ctx = Context(g);
    grpc::Status s = tpl.GetTemplate(ctx.get(), req, &resp);
    if (!s.ok()) return RpcError(s);
    if (g.json) {
      PrintJson(resp);
    } else {
      std::fprintf(stderr, "# %s v%lld (latest v%lld; versions 1..%lld)\n",
                   resp.template_id().c_str(), static_cast<long long>(resp.version()),
                   static_cast<long long>(resp.latest_version()),
                   static_cast<long long>(resp.versions_size()));
      std::cout << resp.yaml();
    }
    return 0;
  }
  if (t_delete->parsed()) {
    v1::DeleteTemplateRequest req;
    req.set_template_id(t_id);
    v1::DeleteTemplateResponse resp;
    auto ctx = Context(g);
    grpc::Status s = tpl.DeleteTemplate(ctx.get(), req, &resp);
    if (!s.ok()) return RpcError(s);
    std::printf("deleted %s\n", t_id.c_str());
    return 0;
  }
  if (t_list->parsed()) {
    v1::ListTemplatesResponse resp;
    auto ctx = Context(g);
    grpc::Status s = tpl.ListTemplates(ctx.get(), v1::ListTemplatesRequest(), &resp);
    if (!s.ok()) return RpcError(s);
    if (g.json) {
      PrintJson(resp);
      return 0;
    }
    for (const auto& t : resp.templates()) {
      std::printf("%-24s v%-4lld %s\n", t.template_id().c_str(),
                  static_cast<long long>(t.latest_version()), t.title().c_str());
    }
    return 0;
  }

  if (metrics->parsed()) {
    v1::Metrics m;
    auto ctx = Context(g);
    grpc::Status s = ops.GetMetrics(ctx.get(), v1::GetMetricsRequest(), &m);
    if (!s.ok()) return RpcError(s);
    if (g.json) {
      PrintJson(m);
      return 0;
    }
    for (const auto& d : m.queue_depth()) {
      std::printf("queue %-7s %lld\n", v1::Priority_Name(d.priority()).c_str(),
                  static_cast<long long>(d.depth()));
    }
    for (const auto& c : m.jobs_by_state()) {
      std::printf("jobs  %-9s %lld\n", v1::JobState_Name(c.state()).c_str(),
                  static_cast<long long>(c.count()));
    }
    std::printf(
        "submitted %lld  completed %lld  failed %lld  cancelled %lld  reclaimed %lld\n",
        static_cast<long long>(m.submitted_total()), static_cast<long long>(m.completed_total()),
        static_cast<long long>(m.failed_total()), static_cast<long long>(m.cancelled_total()),
        static_cast<long long>(m.reclaimed_total()));
    for (const auto& l : m.stage_latency()) {
      std::printf("stage %-18s p50 %8.1f ms  p95 %8.1f ms  p99 %8.1f ms  (%lld runs)\n",
                  v1::Stage_Name(l.stage()).c_str(), l.p50_ms(), l.p95_ms(), l.p99_ms(),
                  static_cast<long long>(l.samples()));
    }
    std::printf("live workers %lld\n", static_cast<long long>(m.live_workers()));
    for (const auto& src : m.sources()) {
      std::printf(
          "source %s/%s  hits %lld  misses %lld  fresh %lld  uncached %lld  errors %lld"
          "  mean fetch %.1f ms\n",
          src.template_id().c_str(), src.source().c_str(), static_cast<long long>(src.cache_hits()),
          static_cast<long long>(src.cache_misses()), static_cast<long long>(src.fresh_fetches()),
          static_cast<long long>(src.uncached_fetches()), static_cast<long long>(src.errors()),
          src.fetches() > 0 ? static_cast<double>(src.fetch_ms_total()) / src.fetches() : 0.0);
    }
    return 0;
  }
  return kExitUsage;
}
