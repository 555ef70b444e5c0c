#include "cli/job_commands.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/job_flags.h"
#include "cli/print.h"
#include "common/table/table.h"
#include "quire/v1/jobs.grpc.pb.h"
#include "quire/v1/ops.grpc.pb.h"

namespace quire {
namespace {

// Every job command's flags; one command runs per process.
struct JobFlags {
  // submit
  std::string template_id, file, priority = "NORMAL", idempotency_key, run_at;
  int64_t version = 0;
  std::vector<std::string> params, outputs;
  bool wait = false;
  bool fresh_data = false;
  // get, watch, cancel, requeue, download
  std::string job_id;
  std::string out = "out";  // submit --wait, download
  // list
  std::string state, list_template, list_priority, page_token;
  int page_size = 20;
};

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
  std::printf("created    %s\nstarted    %s\nfinished   %s\n",
              TimestampText(j.created_at()).c_str(), TimestampText(j.started_at()).c_str(),
              TimestampText(j.finished_at()).c_str());
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
  if (j.has_next_attempt_at()) {
    std::printf("next try   %s\n", TimestampText(j.next_attempt_at()).c_str());
  }
  if (j.has_run_at()) std::printf("run at     %s\n", TimestampText(j.run_at()).c_str());
  if (j.has_deadline()) std::printf("deadline   %s\n", TimestampText(j.deadline()).c_str());
  for (const auto& e : j.attempt_errors()) {
    std::printf("attempt %-2d %s: %s (%s, %s)\n", e.attempt(), e.error_code().c_str(),
                e.error_message().c_str(), e.worker_id().empty() ? "-" : e.worker_id().c_str(),
                TimestampText(e.finished_at()).c_str());
  }
  if (j.fresh_data()) std::printf("fresh data yes\n");
  for (const auto& a : j.artifacts()) {
    std::printf("artifact   %s (%s, %lld bytes, sha256 %s)\n", a.name().c_str(),
                a.content_type().c_str(), static_cast<long long>(a.size_bytes()),
                a.sha256().substr(0, 16).c_str());
  }
}

// Writes each of a job's artifacts into `dir`, through a ".partial" file
// renamed once the whole artifact has arrived.
int Download(CliContext& cli, const v1::Job& job, const std::string& dir) {
  v1::JobService::Stub stub(cli.Channel());
  std::filesystem::create_directories(dir);
  for (const auto& a : job.artifacts()) {
    auto ctx = cli.NewCall();
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

// Follows a job until it ends, printing each event; sets *final_state to
// the last state seen. Returns 0, or the exit code of a gRPC error.
int Watch(CliContext& cli, const std::string& id, v1::JobState* final_state) {
  v1::JobService::Stub stub(cli.Channel());
  auto ctx = cli.NewCall(/*deadline=*/false);
  v1::WatchJobRequest req;
  req.set_job_id(id);
  auto reader = stub.WatchJob(ctx.get(), req);
  v1::JobEvent ev;
  while (reader->Read(&ev)) {
    *final_state = ev.state();
    if (cli.json()) {
      PrintJson(ev);
      std::cout << "\n";
    } else {
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

int Submit(CliContext& cli, const JobFlags& f) {
  v1::SubmitJobRequest req;
  if (!f.file.empty()) {
    if (!ReadInputFile(f.file, req.mutable_inline_template())) return kExitUsage;
  } else if (f.template_id.empty()) {
    std::fprintf(stderr, "quirectl: submit needs a template id or --file\n");
    return kExitUsage;
  }
  req.set_template_id(f.template_id);
  req.set_template_version(f.version);
  if (!FillJob(f.priority, f.params, f.outputs, &req)) return kExitUsage;
  req.set_idempotency_key(f.idempotency_key);
  req.set_submitter("quirectl");
  req.set_fresh_data(f.fresh_data);
  if (!f.run_at.empty()) {
    std::optional<int64_t> at = ParseDatetime(f.run_at);
    if (!at) {
      std::fprintf(stderr, "quirectl: --run-at '%s' is not YYYY-MM-DDTHH:MM[:SS][Z] (UTC)\n",
                   f.run_at.c_str());
      return kExitUsage;
    }
    req.mutable_run_at()->set_seconds(*at);
  }
  v1::SubmitJobResponse resp;
  if (int rc = cli.Call(&v1::JobService::Stub::SubmitJob, req, &resp)) return rc;
  PrintIssues(f.file.empty() ? f.template_id : f.file, resp.issues());
  if (cli.json()) {
    PrintJson(resp);
    std::cout << "\n";
  } else {
    std::printf("%s\n", resp.job_id().c_str());
  }
  if (!f.wait) return 0;
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  if (int rc = Watch(cli, resp.job_id(), &state)) return rc;
  v1::GetJobRequest gr;
  gr.set_job_id(resp.job_id());
  v1::Job job;
  if (int rc = cli.Call(&v1::JobService::Stub::GetJob, gr, &job)) return rc;
  if (job.state() != v1::COMPLETED) {
    std::fprintf(stderr, "quirectl: job %s ended %s: %s: %s\n", job.job_id().c_str(),
                 v1::JobState_Name(job.state()).c_str(), job.error_code().c_str(),
                 job.error_message().c_str());
    return kExitJobFailed;
  }
  return Download(cli, job, f.out);
}

// `get` prints the job; `download` fetches its artifacts into `f.out`.
int GetJob(CliContext& cli, const JobFlags& f, bool download) {
  v1::GetJobRequest req;
  req.set_job_id(f.job_id);
  v1::Job job;
  if (int rc = cli.Call(&v1::JobService::Stub::GetJob, req, &job)) return rc;
  if (download) return Download(cli, job, f.out);
  if (cli.json()) {
    PrintJson(job);
  } else {
    PrintJob(job);
  }
  return 0;
}

int WatchJob(CliContext& cli, const JobFlags& f) {
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  if (int rc = Watch(cli, f.job_id, &state)) return rc;
  return state == v1::COMPLETED ? 0 : kExitJobFailed;
}

int CancelJob(CliContext& cli, const JobFlags& f) {
  v1::CancelJobRequest req;
  req.set_job_id(f.job_id);
  v1::CancelJobResponse resp;
  if (int rc = cli.Call(&v1::JobService::Stub::CancelJob, req, &resp)) return rc;
  std::printf("%s %s\n", f.job_id.c_str(),
              resp.state() == v1::RUNNING ? "cancel requested (running)"
                                          : v1::JobState_Name(resp.state()).c_str());
  return 0;
}

int RequeueJob(CliContext& cli, const JobFlags& f) {
  v1::RequeueJobRequest req;
  req.set_job_id(f.job_id);
  v1::RequeueJobResponse resp;
  if (int rc = cli.Call(&v1::OpsService::Stub::RequeueJob, req, &resp)) return rc;
  std::printf("%s %s\n", f.job_id.c_str(), v1::JobState_Name(resp.state()).c_str());
  return 0;
}

int ListJobs(CliContext& cli, const JobFlags& f) {
  v1::ListJobsRequest req;
  if (!f.state.empty()) {
    v1::JobState st;
    if (!v1::JobState_Parse(f.state, &st)) {
      std::fprintf(stderr, "quirectl: unknown state '%s'\n", f.state.c_str());
      return kExitUsage;
    }
    req.set_state(st);
  }
  if (!f.list_priority.empty()) {
    v1::Priority p;
    if (!v1::Priority_Parse(f.list_priority, &p)) {
      std::fprintf(stderr, "quirectl: unknown priority '%s'\n", f.list_priority.c_str());
      return kExitUsage;
    }
    req.set_priority(p);
  }
  req.set_template_id(f.list_template);
  req.set_page_size(f.page_size);
  req.set_page_token(f.page_token);
  v1::ListJobsResponse resp;
  if (int rc = cli.Call(&v1::JobService::Stub::ListJobs, req, &resp)) return rc;
  if (cli.json()) {
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

}  // namespace

void RegisterJobCommands(CLI::App& app, CliContext& cli) {
  auto f = std::make_shared<JobFlags>();

  auto* submit = app.add_subcommand("submit", "Submit a report job");
  submit->add_option("template", f->template_id, "Stored template id");
  submit->add_option("--file", f->file, "Submit an inline template from this YAML file");
  submit->add_option("--version", f->version, "Template version (default: latest)");
  submit->add_option("-p,--param", f->params, "Parameter name=value (repeatable)");
  submit->add_option("--priority", f->priority, "LOW, NORMAL, HIGH or URGENT")
      ->capture_default_str();
  submit->add_option("--output", f->outputs,
                     "Output format (repeatable): pdf, xlsx, png, svg, csv, json");
  submit->add_option("--idempotency-key", f->idempotency_key,
                     "Returns the existing job for a repeated key");
  submit->add_flag("--wait", f->wait, "Watch until the job ends, then download its artifacts");
  submit->add_flag("--fresh-data", f->fresh_data,
                   "Fetch every data source anew (no cached tables)");
  submit->add_option("--run-at", f->run_at,
                     "Start no earlier than this UTC time: YYYY-MM-DDTHH:MM[:SS][Z]");
  submit->add_option("-o,--out", f->out, "Where --wait writes artifacts")->capture_default_str();
  cli.OnRun(submit, [&cli, f] { return Submit(cli, *f); });

  auto* get = app.add_subcommand("get", "Show a job");
  get->add_option("job_id", f->job_id)->required();
  cli.OnRun(get, [&cli, f] { return GetJob(cli, *f, /*download=*/false); });
  auto* watch = app.add_subcommand("watch", "Follow a job until it ends");
  watch->add_option("job_id", f->job_id)->required();
  cli.OnRun(watch, [&cli, f] { return WatchJob(cli, *f); });
  auto* cancel = app.add_subcommand("cancel", "Cancel a job");
  cancel->add_option("job_id", f->job_id)->required();
  cli.OnRun(cancel, [&cli, f] { return CancelJob(cli, *f); });
  auto* requeue = app.add_subcommand("requeue", "Send a FAILED job back to its queue");
  requeue->add_option("job_id", f->job_id)->required();
  cli.OnRun(requeue, [&cli, f] { return RequeueJob(cli, *f); });
  auto* download = app.add_subcommand("download", "Download a completed job's artifacts");
  download->add_option("job_id", f->job_id)->required();
  download->add_option("-o,--out", f->out, "Directory")->capture_default_str();
  cli.OnRun(download, [&cli, f] { return GetJob(cli, *f, /*download=*/true); });

  auto* list = app.add_subcommand("list", "List jobs, newest first");
  list->add_option("--state", f->state,
                   "SCHEDULED, QUEUED, RUNNING, RETRY_SCHEDULED, COMPLETED, FAILED, CANCELLED");
  list->add_option("--template", f->list_template, "Template id");
  list->add_option("--priority", f->list_priority, "LOW, NORMAL, HIGH, URGENT");
  list->add_option("--limit", f->page_size, "Page size")->capture_default_str();
  list->add_option("--page-token", f->page_token, "Token printed by the previous page");
  cli.OnRun(list, [&cli, f] { return ListJobs(cli, *f); });
}

}  // namespace quire
