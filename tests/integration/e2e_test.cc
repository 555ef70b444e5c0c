// End-to-end tests over gRPC: a real redis-server, quire-gateway and
// quire-worker processes (tests/integration/cluster.h), driven the way a
// client drives them — the demo report from submit to verified PDF, a
// backlog of 200 jobs in priority order, a worker killed mid-job, cancels,
// idempotent submits, ListJobs paging and filters, and quirectl.
//
// Not covered here: bad input and Redis outages (gateway_errors_test.cc),
// WatchJob (watch_test.cc), the queue's Lua scripts alone (queue_*_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

constexpr v1::Stage kStages[] = {v1::VALIDATING, v1::COLLECTING_DATA, v1::GENERATING_CHARTS,
                                 v1::RENDERING_REPORT, v1::FINALIZING};

// Rows of the slow template: about 4 s of PDF rendering on the 2-core CI
// machine (measured with `quirectl render`: 20,000 rows in 4.3 s).
constexpr int kSlowRows = 20000;

// Workers that notice a lost lease or a cancel within a fraction of a second.
const std::vector<std::string> kFastLeases = {"queue.lease_ms=1500", "worker.lease_extend_ms=300"};

v1::Metrics MetricsOrFail(TestCluster& c) {
  v1::Metrics m;
  grpc::Status s = c.GetMetrics(&m);
  EXPECT_TRUE(s.ok()) << "GetMetrics: " << Describe(s);
  return m;
}

// ---------------------------------------------------------------------------

TEST(EndToEnd, DemoReportCompletesWithTimingsAVerifiedPdfAndXlsx) {
  TestCluster c;
  v1::PutTemplateResponse put;
  ASSERT_RPC_OK(c.PutTemplate(DemoTemplate(), &put));
  EXPECT_EQ(put.template_id(), "demo");
  EXPECT_EQ(put.version(), 1);
  c.StartWorker("w1", 2);

  auto req = SubmitRequest("demo");
  AddParam(&req, "region", "South");
  v1::SubmitJobResponse submitted;
  ASSERT_RPC_OK(c.Submit(req, &submitted));
  EXPECT_EQ(submitted.template_version(), 1);
  const std::string id = submitted.job_id();

  v1::Job job = c.WaitForTerminal(id, 60s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job) << c.LogTails();
  EXPECT_EQ(job.attempt(), 1);
  EXPECT_EQ(job.progress_percent(), 100);
  EXPECT_EQ(job.worker_id(), "w1");
  EXPECT_EQ(job.template_id(), "demo");
  EXPECT_EQ(job.submitter(), "e2e-test");
  ASSERT_EQ(job.parameters_size(), 1);
  EXPECT_EQ(job.parameters(0).name(), "region");
  EXPECT_EQ(job.parameters(0).value(), "South");
  EXPECT_LE(Millis(job.created_at()), Millis(job.started_at()));
  EXPECT_LE(Millis(job.started_at()), Millis(job.finished_at()));

  // Every stage ran once, in order, with a start and an end.
  std::map<v1::Stage, v1::StageTiming> timings;
  for (const auto& t : job.stage_timings()) {
    EXPECT_TRUE(timings.emplace(t.stage(), t).second) << "stage listed twice: " << t.stage();
  }
  int64_t previous_start = Millis(job.started_at());
  for (v1::Stage stage : kStages) {
    SCOPED_TRACE(v1::Stage_Name(stage));
    auto it = timings.find(stage);
    ASSERT_NE(it, timings.end()) << "no timing for the stage";
    ASSERT_TRUE(it->second.has_started_at());
    ASSERT_TRUE(it->second.has_finished_at()) << "the stage has no end time";
    int64_t start = Millis(it->second.started_at());
    int64_t end = Millis(it->second.finished_at());
    EXPECT_GE(start, previous_start);
    EXPECT_GE(end, start);
    EXPECT_LE(end, Millis(job.finished_at()));
    previous_start = start;
  }

  // The demo template asks for a PDF and an XLSX.
  ASSERT_EQ(job.artifacts_size(), 2) << Describe(job);
  std::map<std::string, v1::Artifact> artifacts;
  for (const auto& a : job.artifacts()) artifacts[a.name()] = a;
  ASSERT_EQ(artifacts.count("report.pdf"), 1u) << Describe(job);
  ASSERT_EQ(artifacts.count("report.xlsx"), 1u) << Describe(job);
  const v1::Artifact& pdf = artifacts["report.pdf"];
  EXPECT_EQ(pdf.format(), v1::PDF);
  EXPECT_EQ(pdf.content_type(), "application/pdf");
  EXPECT_GT(pdf.size_bytes(), 1000);
  EXPECT_EQ(pdf.sha256().size(), 64u);
  const v1::Artifact& xlsx = artifacts["report.xlsx"];
  EXPECT_EQ(xlsx.format(), v1::XLSX);
  EXPECT_EQ(xlsx.content_type(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  std::string workbook;
  ASSERT_RPC_OK(c.GetArtifact(id, "report.xlsx", &workbook));
  EXPECT_EQ(Sha256Hex(workbook), xlsx.sha256());
  EXPECT_EQ(workbook.substr(0, 2), "PK");  // a zip container

  std::string data;
  std::vector<v1::ArtifactChunk> chunks;
  ASSERT_RPC_OK(c.GetArtifact(id, "report.pdf", &data, &chunks));
  ASSERT_EQ(static_cast<int64_t>(data.size()), pdf.size_bytes());
  EXPECT_EQ(Sha256Hex(data), pdf.sha256());
  EXPECT_EQ(data.substr(0, 4), "%PDF");
  int64_t offset = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].offset(), offset) << "chunk " << i;
    EXPECT_EQ(chunks[i].total_bytes(), pdf.size_bytes()) << "chunk " << i;
    EXPECT_LE(chunks[i].data().size(), 64u * 1024) << "chunk " << i;
    offset += static_cast<int64_t>(chunks[i].data().size());
  }

  // The same through quirectl, with the address from the environment.
  const std::string out_dir = c.work_dir() + "/quirectl-out";
  CommandResult r =
      RunCommand({QuirectlBinary(), "submit", "demo", "-p", "region=East", "--wait", "-o", out_dir},
                 {{"QUIRE_ADDR", c.gateway_addr()}}, c.work_dir() + "/quirectl.log", 90s);
  ASSERT_FALSE(r.timed_out) << "quirectl submit --wait ran over 90 s:\n" << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output << c.LogTails();
  std::string written = ReadFileText(out_dir + "/report.pdf");
  ASSERT_FALSE(written.empty()) << "no " << out_dir << "/report.pdf; quirectl said:\n" << r.output;
  EXPECT_EQ(written.substr(0, 4), "%PDF");
  EXPECT_FALSE(std::filesystem::exists(out_dir + "/report.pdf.partial"));
  // Its first line is the job id: the file must be that job's artifact.
  std::string cli_id = r.output.substr(0, r.output.find('\n'));
  v1::Job cli_job;
  ASSERT_RPC_OK(c.GetJob(cli_id, &cli_job));
  EXPECT_EQ(cli_job.state(), v1::COMPLETED);
  ASSERT_EQ(cli_job.artifacts_size(), 2);
  for (const auto& a : cli_job.artifacts()) {
    EXPECT_EQ(Sha256Hex(ReadFileText(out_dir + "/" + a.name())), a.sha256()) << a.name();
  }
  EXPECT_EQ(cli_job.parameters(0).value(), "East");
}

// ---------------------------------------------------------------------------

TEST(EndToEnd, TwoHundredJobsRunExactlyOnceHighestPriorityFirst) {
  TestCluster c;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));

  // The whole backlog is queued before any worker exists.
  const v1::Priority kPriorities[] = {v1::LOW, v1::NORMAL, v1::HIGH, v1::URGENT};
  v1::SubmitJobsRequest batch;
  for (int i = 0; i < 200; ++i) {
    *batch.add_jobs() = SubmitRequest("tiny", kPriorities[(i * 7 + i / 3) % 4]);
  }
  v1::SubmitJobsResponse submitted;
  ASSERT_RPC_OK(c.jobs().SubmitJobs(Deadline().get(), batch, &submitted));
  ASSERT_EQ(submitted.results_size(), 200);
  std::map<std::string, v1::Priority> priority_of;
  for (int i = 0; i < 200; ++i) {
    const auto& r = submitted.results(i);
    ASSERT_EQ(r.code(), 0) << "job " << i << ": " << r.message();
    priority_of[r.response().job_id()] = batch.jobs(i).priority();
  }
  ASSERT_EQ(priority_of.size(), 200u) << "job ids are not unique";
  v1::Metrics before = MetricsOrFail(c);
  int64_t depth = 0;
  for (const auto& d : before.queue_depth()) depth += d.depth();
  EXPECT_EQ(depth, 200);

  auto start = Clock::now();
  c.StartWorker("w1", 2);
  c.StartWorker("w2", 2);
  v1::Metrics m;
  while (true) {
    m = MetricsOrFail(c);
    if (m.completed_total() + m.failed_total() >= 200) break;
    ASSERT_LT(Clock::now() - start, 90s)
        << "after 90 s only " << m.completed_total() << " of 200 jobs completed ("
        << m.failed_total() << " failed)" << c.LogTails();
    std::this_thread::sleep_for(100ms);
  }
  RecordProperty("seconds_for_200_jobs", std::to_string(Seconds(Clock::now() - start)));

  v1::ListJobsRequest list;
  list.set_page_size(1000);
  v1::ListJobsResponse all;
  ASSERT_RPC_OK(c.jobs().ListJobs(Deadline().get(), list, &all));
  ASSERT_EQ(all.jobs_size(), 200);
  std::map<v1::Priority, int64_t> first_start, last_start;
  std::set<std::string> workers;
  for (const auto& j : all.jobs()) {
    ASSERT_EQ(priority_of.count(j.job_id()), 1u) << "unknown job " << j.job_id();
    EXPECT_EQ(j.state(), v1::COMPLETED) << Describe(j);
    EXPECT_EQ(j.attempt(), 1) << "ran more than once: " << Describe(j);
    EXPECT_EQ(j.priority(), priority_of[j.job_id()]);
    EXPECT_EQ(j.artifacts_size(), 1) << Describe(j);
    workers.insert(j.worker_id());
    int64_t started = Millis(j.started_at());
    auto p = j.priority();
    first_start[p] = first_start.count(p) ? std::min(first_start[p], started) : started;
    last_start[p] = last_start.count(p) ? std::max(last_start[p], started) : started;
  }
  EXPECT_EQ(workers, (std::set<std::string>{"w1", "w2"})) << "both workers should take jobs";

  // Leasing is strict across levels: every job of a higher priority started
  // no later than any job of a lower one.
  for (auto hi : kPriorities) {
    for (auto lo : kPriorities) {
      if (hi <= lo) continue;
      EXPECT_LE(last_start[hi], first_start[lo])
          << v1::Priority_Name(hi) << " job started at " << last_start[hi] << " ms, after a "
          << v1::Priority_Name(lo) << " job started at " << first_start[lo] << " ms";
    }
  }

  m = MetricsOrFail(c);
  EXPECT_EQ(m.submitted_total(), 200);
  EXPECT_EQ(m.completed_total(), 200);
  EXPECT_EQ(m.failed_total(), 0);
  EXPECT_EQ(m.reclaimed_total(), 0);
  // Workers send their first heartbeat within a few seconds of starting.
  v1::Metrics live;
  auto deadline = Clock::now() + 5s;
  while ((!c.GetMetrics(&live).ok() || live.live_workers() != 2) && Clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(live.live_workers(), 2);
  for (const auto& d : m.queue_depth()) EXPECT_EQ(d.depth(), 0) << v1::Priority_Name(d.priority());
  ASSERT_EQ(m.stage_latency_size(), 5);
  for (const auto& l : m.stage_latency()) {
    EXPECT_EQ(l.samples(), 200) << v1::Stage_Name(l.stage());
    EXPECT_LE(l.p50_ms(), l.p95_ms()) << v1::Stage_Name(l.stage());
    EXPECT_LE(l.p95_ms(), l.p99_ms()) << v1::Stage_Name(l.stage());
  }
}

// ---------------------------------------------------------------------------

TEST(EndToEnd, JobOfAKilledWorkerRunsAgainOnAnotherWorker) {
  TestCluster::Options options;
  options.worker_sets = kFastLeases;
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(SlowTemplate(kSlowRows)));
  ChildProcess& a = c.StartWorker("A", 1);
  std::string id = c.SubmitOk(SubmitRequest("slow"));
  ASSERT_FALSE(id.empty());

  v1::Job job;
  ASSERT_TRUE(c.WaitForRunning(id, "A", 30s, &job));
  c.StartWorker("B", 1);  // idle, ready to take over
  const int64_t killed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  a.Kill();
  ASSERT_FALSE(a.running());

  job = c.WaitForTerminal(id, 90s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job) << c.LogTails();
  EXPECT_EQ(job.attempt(), 2);
  EXPECT_EQ(job.worker_id(), "B");
  ASSERT_EQ(job.artifacts_size(), 1) << Describe(job);
  EXPECT_EQ(job.artifacts(0).name(), "report.pdf");
  // The second attempt's stages only.
  EXPECT_EQ(job.stage_timings_size(), 5);
  // Recovery, for the record: from the kill to the second attempt's first
  // stage — the lease (1.5 s here) plus the idle worker's next lease call.
  const int64_t recovery_ms = Millis(job.stage_timings(0).started_at()) - killed_ms;
  std::printf("recovery after SIGKILL: %lld ms (queue.lease_ms 1500)\n",
              static_cast<long long>(recovery_ms));

  // One set of artifacts on disk: the run that completed.
  std::vector<std::string> runs;
  for (const auto& e : std::filesystem::directory_iterator(c.artifacts_dir() + "/" + id)) {
    runs.push_back(e.path().filename().string());
  }
  EXPECT_EQ(runs.size(), 1u) << "artifact sets of job " << id;
  std::string data;
  ASSERT_RPC_OK(c.GetArtifact(id, "report.pdf", &data));
  EXPECT_EQ(Sha256Hex(data), job.artifacts(0).sha256());

  v1::Metrics m = MetricsOrFail(c);
  EXPECT_GE(m.reclaimed_total(), 1);
  EXPECT_EQ(m.completed_total(), 1);
  EXPECT_EQ(m.failed_total(), 0);
}

// A worker frozen (SIGSTOP) past its lease: the job runs on another
// worker; the frozen one, resumed, cannot complete it or leave files.
TEST(EndToEnd, AFrozenWorkerResumedAfterItsLeaseCannotCompleteTheJob) {
  TestCluster::Options options;
  options.worker_sets = kFastLeases;
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(SlowTemplate(kSlowRows)));
  ChildProcess& a = c.StartWorker("A", 1);
  const std::string id = c.SubmitOk(SubmitRequest("slow"));
  v1::Job job;
  ASSERT_TRUE(c.WaitForRunning(id, "A", 30s, &job));
  ASSERT_EQ(kill(a.pid(), SIGSTOP), 0);

  c.StartWorker("B", 1);
  job = c.WaitForTerminal(id, 90s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job) << c.LogTails();
  EXPECT_EQ(job.worker_id(), "B");
  EXPECT_EQ(job.attempt(), 2);
  ASSERT_EQ(job.attempt_errors_size(), 1);
  EXPECT_EQ(job.attempt_errors(0).error_code(), "ABORTED");
  EXPECT_EQ(job.attempt_errors(0).worker_id(), "A");
  const std::string sha = job.artifacts(0).sha256();

  // Resumed, A learns it lost the lease and gives the job up.
  ASSERT_EQ(kill(a.pid(), SIGCONT), 0);
  const std::string log = c.work_dir() + "/worker-A.log";
  const auto until = Clock::now() + 20s;
  while (ReadFileText(log).find("lease lost") == std::string::npos && Clock::now() < until) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(ReadFileText(log).find("lease lost"), std::string::npos) << Tail(ReadFileText(log));
  job = c.WaitForTerminal(id, 10s);
  EXPECT_EQ(job.state(), v1::COMPLETED);
  EXPECT_EQ(job.worker_id(), "B");
  EXPECT_EQ(job.artifacts(0).sha256(), sha);
  std::vector<std::string> runs;
  for (const auto& e : std::filesystem::directory_iterator(c.artifacts_dir() + "/" + id)) {
    runs.push_back(e.path().filename().string());
  }
  EXPECT_EQ(runs.size(), 1u) << "artifact sets of job " << id;
  EXPECT_TRUE(FilesUnder(c.artifacts_dir() + "/.staging").empty()) << "A left staging files";
  EXPECT_EQ(MetricsOrFail(c).completed_total(), 1);
}

// SIGTERM: the worker stops leasing, lets its job run until the drain
// timeout, then stops it, gives it back to the queue (the attempt undone,
// no error) and exits 0; another worker runs it.
TEST(EndToEnd, AWorkerStoppedBySigtermGivesItsUnfinishedJobBackAndExitsZero) {
  TestCluster::Options options;
  options.worker_sets = kFastLeases;
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(SlowTemplate(kSlowRows)));
  ChildProcess& a = c.StartWorker("A", 1, {"worker.drain_timeout_ms=300"});
  const std::string id = c.SubmitOk(SubmitRequest("slow"));
  v1::Job job;
  ASSERT_TRUE(c.WaitForRunning(id, "A", 30s, &job));
  const auto stop_start = Clock::now();
  a.Stop(20s);
  EXPECT_FALSE(a.running());
  EXPECT_EQ(a.exit_code(), 0) << Tail(a.Log());
  EXPECT_LT(Seconds(Clock::now() - stop_start), 10.0) << "the drain timeout was not kept";
  EXPECT_NE(a.Log().find("given back to the queue"), std::string::npos) << Tail(a.Log());

  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_EQ(job.state(), v1::QUEUED) << Describe(job);
  EXPECT_EQ(job.attempt(), 0);
  EXPECT_EQ(job.attempt_errors_size(), 0);

  c.StartWorker("B", 1);
  job = c.WaitForTerminal(id, 90s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  EXPECT_EQ(job.attempt(), 1);
  EXPECT_EQ(job.worker_id(), "B");
  EXPECT_TRUE(FilesUnder(c.artifacts_dir() + "/.staging").empty()) << "A left staging files";
}

// ---------------------------------------------------------------------------

TEST(EndToEnd, CancelledQueuedJobNeverRuns) {
  TestCluster c;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  std::string id = c.SubmitOk(SubmitRequest("tiny"));
  ASSERT_FALSE(id.empty());

  v1::CancelJobResponse cancelled;
  ASSERT_RPC_OK(c.Cancel(id, &cancelled));
  EXPECT_EQ(cancelled.state(), v1::CANCELLED);
  v1::Job job;
  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_EQ(job.state(), v1::CANCELLED) << Describe(job);
  EXPECT_EQ(job.attempt(), 0);

  // A worker started now drains the queue without touching the cancelled job.
  c.StartWorker("w1", 2);
  std::string later = c.SubmitOk(SubmitRequest("tiny"));
  v1::Job done = c.WaitForTerminal(later, 30s);
  ASSERT_EQ(done.state(), v1::COMPLETED) << Describe(done);
  std::this_thread::sleep_for(500ms);
  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_EQ(job.state(), v1::CANCELLED) << Describe(job);
  EXPECT_EQ(job.attempt(), 0) << Describe(job);
  EXPECT_EQ(job.worker_id(), "") << Describe(job);
  EXPECT_EQ(job.artifacts_size(), 0);

  // A finished job cannot be cancelled.
  v1::CancelJobResponse ignored;
  grpc::Status s = c.Cancel(later, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << Describe(s);
  ASSERT_RPC_OK(c.GetJob(later, &done));
  EXPECT_EQ(done.state(), v1::COMPLETED);

  v1::Metrics m = MetricsOrFail(c);
  EXPECT_EQ(m.cancelled_total(), 1);
  EXPECT_EQ(m.completed_total(), 1);
}

TEST(EndToEnd, CancelledRunningJobStopsAndLeavesNoFiles) {
  TestCluster::Options options;
  options.worker_sets = kFastLeases;
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(SlowTemplate(kSlowRows)));
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  c.StartWorker("w1", 1);
  std::string id = c.SubmitOk(SubmitRequest("slow"));
  ASSERT_FALSE(id.empty());

  // Cancel in the middle of the longest stage, with a partial PDF staged.
  v1::Job job;
  bool rendering = c.PollJob(
      id,
      [](const v1::Job& j) {
        return j.state() == v1::RUNNING && j.stage() == v1::RENDERING_REPORT;
      },
      30s, &job);
  ASSERT_TRUE(rendering) << "never saw RENDERING_REPORT; last: " << Describe(job) << c.LogTails();
  std::this_thread::sleep_for(300ms);

  auto asked = Clock::now();
  v1::CancelJobResponse resp;
  ASSERT_RPC_OK(c.Cancel(id, &resp));
  EXPECT_EQ(resp.state(), v1::RUNNING) << "a running job is only asked to stop";
  job = c.WaitForTerminal(id, 15s);
  double took = Seconds(Clock::now() - asked);
  ASSERT_EQ(job.state(), v1::CANCELLED) << Describe(job) << c.LogTails();
  EXPECT_LT(took, 5.0) << "the worker took " << took << " s to stop";
  EXPECT_EQ(job.artifacts_size(), 0);
  EXPECT_EQ(job.attempt(), 1);

  // The worker discards the run's files right after recording the cancel.
  const std::string job_dir = c.artifacts_dir() + "/" + id;
  const std::string staging = c.artifacts_dir() + "/.staging";
  auto deadline = Clock::now() + 5s;
  std::vector<std::string> left;
  do {
    left = FilesUnder(job_dir);
    auto staged = FilesUnder(staging);
    left.insert(left.end(), staged.begin(), staged.end());
    if (left.empty()) break;
    std::this_thread::sleep_for(50ms);
  } while (Clock::now() < deadline);
  EXPECT_TRUE(left.empty()) << "files left by the cancelled run, e.g. " << left.front();

  // The job stays cancelled and the worker goes on to the next job.
  std::string next = c.SubmitOk(SubmitRequest("tiny"));
  v1::Job next_job = c.WaitForTerminal(next, 30s);
  EXPECT_EQ(next_job.state(), v1::COMPLETED) << Describe(next_job);
  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_EQ(job.state(), v1::CANCELLED);

  v1::Metrics m = MetricsOrFail(c);
  EXPECT_EQ(m.cancelled_total(), 1);
  EXPECT_EQ(m.completed_total(), 1);
}

// A cancel asked of a job whose worker died is honoured when its lease is
// reclaimed: the job ends CANCELLED and does not run again.
TEST(EndToEnd, CancelOfAJobWhoseWorkerDiedEndsItWhenTheLeaseExpires) {
  TestCluster::Options options;
  options.worker_sets = kFastLeases;
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(SlowTemplate(kSlowRows)));
  ChildProcess& a = c.StartWorker("A", 1);
  std::string id = c.SubmitOk(SubmitRequest("slow"));
  ASSERT_FALSE(id.empty());
  v1::Job job;
  ASSERT_TRUE(c.WaitForRunning(id, "A", 30s, &job));
  a.Kill();

  v1::CancelJobResponse resp;
  ASSERT_RPC_OK(c.Cancel(id, &resp));
  EXPECT_EQ(resp.state(), v1::RUNNING);
  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_TRUE(job.cancel_requested()) << Describe(job);

  c.StartWorker("B", 1);
  job = c.WaitForTerminal(id, 30s);
  EXPECT_EQ(job.state(), v1::CANCELLED) << Describe(job) << c.LogTails();
  EXPECT_EQ(job.attempt(), 1) << "the cancelled job ran again";
  EXPECT_EQ(job.artifacts_size(), 0);
  v1::Metrics m = MetricsOrFail(c);
  EXPECT_EQ(m.cancelled_total(), 1);
  EXPECT_EQ(m.completed_total(), 0);
}

// ---------------------------------------------------------------------------

TEST(EndToEnd, RepeatedIdempotencyKeyReturnsTheFirstJob) {
  TestCluster c;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  auto req = SubmitRequest("tiny");
  req.set_idempotency_key("order-4711");

  v1::SubmitJobResponse first, second, other;
  ASSERT_RPC_OK(c.Submit(req, &first));
  EXPECT_FALSE(first.deduplicated());
  ASSERT_RPC_OK(c.Submit(req, &second));
  EXPECT_EQ(second.job_id(), first.job_id());
  EXPECT_TRUE(second.deduplicated());

  req.set_idempotency_key("order-4712");
  ASSERT_RPC_OK(c.Submit(req, &other));
  EXPECT_NE(other.job_id(), first.job_id());
  EXPECT_FALSE(other.deduplicated());

  // Within one batch, and across a batch and a later single submit.
  v1::SubmitJobsRequest batch;
  *batch.add_jobs() = SubmitRequest("tiny");
  *batch.add_jobs() = SubmitRequest("tiny");
  batch.mutable_jobs(0)->set_idempotency_key("order-4713");
  batch.mutable_jobs(1)->set_idempotency_key("order-4713");
  v1::SubmitJobsResponse results;
  ASSERT_RPC_OK(c.jobs().SubmitJobs(Deadline().get(), batch, &results));
  ASSERT_EQ(results.results_size(), 2);
  EXPECT_FALSE(results.results(0).response().deduplicated());
  EXPECT_TRUE(results.results(1).response().deduplicated());
  EXPECT_EQ(results.results(1).response().job_id(), results.results(0).response().job_id());
  req.set_idempotency_key("order-4713");
  v1::SubmitJobResponse third;
  ASSERT_RPC_OK(c.Submit(req, &third));
  EXPECT_TRUE(third.deduplicated());
  EXPECT_EQ(third.job_id(), results.results(0).response().job_id());

  v1::Metrics m = MetricsOrFail(c);
  EXPECT_EQ(m.submitted_total(), 3) << "a deduplicated submit must not create a job";
}

// ---------------------------------------------------------------------------

TEST(EndToEnd, ListJobsPagesAndFilters) {
  TestCluster c;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate("tiny")));
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate("tiny2")));

  // 30 jobs in one batch (many share a creation millisecond), no workers.
  const v1::Priority kPriorities[] = {v1::LOW, v1::NORMAL, v1::HIGH, v1::URGENT};
  v1::SubmitJobsRequest batch;
  for (int i = 0; i < 30; ++i) {
    *batch.add_jobs() = SubmitRequest(i % 3 == 0 ? "tiny2" : "tiny", kPriorities[i % 4]);
  }
  v1::SubmitJobsResponse submitted;
  ASSERT_RPC_OK(c.jobs().SubmitJobs(Deadline().get(), batch, &submitted));
  ASSERT_EQ(submitted.results_size(), 30);
  struct Expected {
    std::string template_id;
    v1::Priority priority;
    v1::JobState state;
  };
  std::map<std::string, Expected> expected;
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(submitted.results(i).code(), 0) << submitted.results(i).message();
    const std::string& id = submitted.results(i).response().job_id();
    expected[id] = {batch.jobs(i).template_id(), batch.jobs(i).priority(), v1::QUEUED};
    if (i % 5 == 0) {
      v1::CancelJobResponse r;
      ASSERT_RPC_OK(c.Cancel(id, &r));
      expected[id].state = v1::CANCELLED;
    }
  }

  // All jobs, 7 per page, newest first, each exactly once.
  std::vector<v1::Job> listed;
  std::vector<int> page_sizes;
  v1::ListJobsRequest req;
  req.set_page_size(7);
  for (int page = 0; page < 10; ++page) {
    v1::ListJobsResponse resp;
    ASSERT_RPC_OK(c.jobs().ListJobs(Deadline().get(), req, &resp));
    page_sizes.push_back(resp.jobs_size());
    listed.insert(listed.end(), resp.jobs().begin(), resp.jobs().end());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(page_sizes, (std::vector<int>{7, 7, 7, 7, 2}));
  std::set<std::string> seen;
  for (size_t i = 0; i < listed.size(); ++i) {
    EXPECT_TRUE(seen.insert(listed[i].job_id()).second) << "listed twice: " << listed[i].job_id();
    EXPECT_EQ(expected.count(listed[i].job_id()), 1u);
    if (i > 0) {
      EXPECT_GE(Millis(listed[i - 1].created_at()), Millis(listed[i].created_at()))
          << "not newest first at position " << i;
    }
  }
  EXPECT_EQ(seen.size(), 30u);

  // Filters, alone and combined.
  auto list_ids = [&](v1::JobState state, v1::Priority priority, const std::string& tpl) {
    v1::ListJobsRequest r;
    r.set_state(state);
    r.set_priority(priority);
    r.set_template_id(tpl);
    r.set_page_size(1000);
    v1::ListJobsResponse resp;
    grpc::Status s = c.jobs().ListJobs(Deadline().get(), r, &resp);
    EXPECT_TRUE(s.ok()) << Describe(s);
    EXPECT_TRUE(resp.next_page_token().empty());
    std::set<std::string> ids;
    for (const auto& j : resp.jobs()) ids.insert(j.job_id());
    return ids;
  };
  auto expect_ids = [&](v1::JobState state, v1::Priority priority, const std::string& tpl) {
    std::set<std::string> want;
    for (const auto& [id, e] : expected) {
      if ((state == v1::JOB_STATE_UNSPECIFIED || e.state == state) &&
          (priority == v1::PRIORITY_UNSPECIFIED || e.priority == priority) &&
          (tpl.empty() || e.template_id == tpl)) {
        want.insert(id);
      }
    }
    return want;
  };
  struct Filter {
    v1::JobState state;
    v1::Priority priority;
    std::string tpl;
  };
  const Filter kFilters[] = {
      {v1::CANCELLED, v1::PRIORITY_UNSPECIFIED, ""},
      {v1::QUEUED, v1::PRIORITY_UNSPECIFIED, ""},
      {v1::JOB_STATE_UNSPECIFIED, v1::HIGH, ""},
      {v1::JOB_STATE_UNSPECIFIED, v1::PRIORITY_UNSPECIFIED, "tiny2"},
      {v1::QUEUED, v1::LOW, "tiny"},
      {v1::CANCELLED, v1::PRIORITY_UNSPECIFIED, "tiny2"},
      {v1::COMPLETED, v1::PRIORITY_UNSPECIFIED, ""},
      {v1::JOB_STATE_UNSPECIFIED, v1::PRIORITY_UNSPECIFIED, "no-such-template"},
  };
  for (const auto& f : kFilters) {
    SCOPED_TRACE("state " + v1::JobState_Name(f.state) + ", priority " +
                 v1::Priority_Name(f.priority) + ", template '" + f.tpl + "'");
    EXPECT_EQ(list_ids(f.state, f.priority, f.tpl), expect_ids(f.state, f.priority, f.tpl));
  }
  EXPECT_EQ(expect_ids(v1::CANCELLED, v1::PRIORITY_UNSPECIFIED, "").size(), 6u);

  // A filtered listing pages too.
  v1::ListJobsRequest filtered;
  filtered.set_template_id("tiny");
  filtered.set_page_size(8);
  std::set<std::string> tiny_ids;
  for (int page = 0; page < 10; ++page) {
    v1::ListJobsResponse resp;
    ASSERT_RPC_OK(c.jobs().ListJobs(Deadline().get(), filtered, &resp));
    for (const auto& j : resp.jobs()) {
      EXPECT_EQ(j.template_id(), "tiny");
      EXPECT_TRUE(tiny_ids.insert(j.job_id()).second) << "listed twice: " << j.job_id();
    }
    if (resp.next_page_token().empty()) break;
    filtered.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(tiny_ids, expect_ids(v1::JOB_STATE_UNSPECIFIED, v1::PRIORITY_UNSPECIFIED, "tiny"));

  // Bad paging arguments.
  v1::ListJobsRequest bad;
  bad.set_page_size(1001);
  v1::ListJobsResponse ignored;
  grpc::Status s = c.jobs().ListJobs(Deadline().get(), bad, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  bad.set_page_size(10);
  bad.set_page_token("not-a-token");
  s = c.jobs().ListJobs(Deadline().get(), bad, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
}

}  // namespace
}  // namespace quire::testing

namespace quire::testing {
namespace {

// quirectl's commands against a live gateway, with the exit codes and
// messages scripts rely on: 0 ok, 1 job failed or cancelled, 2 usage,
// 3 the gateway's error (its code printed), 4 gateway unreachable.
TEST(Quirectl, CommandsAndExitCodes) {
  TestCluster c;
  const std::string tpl = c.work_dir() + "/tiny.yaml";
  std::ofstream(tpl) << TinyTemplate();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {QuirectlBinary(), "--addr", c.gateway_addr()});
    return RunCommand(args, {}, c.work_dir() + "/quirectl.log", 60s);
  };

  CommandResult put = run({"templates", "put", tpl});
  ASSERT_EQ(put.exit_code, 0) << put.output;
  EXPECT_NE(put.output.find("tiny v1"), std::string::npos) << put.output;
  CommandResult list_t = run({"templates", "list"});
  EXPECT_EQ(list_t.exit_code, 0);
  EXPECT_NE(list_t.output.find("tiny"), std::string::npos) << list_t.output;
  CommandResult get_t = run({"templates", "get", "tiny"});
  EXPECT_EQ(get_t.exit_code, 0);
  EXPECT_NE(get_t.output.find("Tiny report"), std::string::npos) << get_t.output;

  CommandResult submit = run({"submit", "tiny", "-p", "who=cli", "--priority", "HIGH"});
  ASSERT_EQ(submit.exit_code, 0) << submit.output;
  std::string id = submit.output.substr(0, submit.output.find('\n'));
  ASSERT_EQ(id.size(), 24u) << submit.output;
  c.StartWorker("w1", 1);
  CommandResult watch = run({"watch", id});
  EXPECT_EQ(watch.exit_code, 0) << watch.output;
  EXPECT_NE(watch.output.find("COMPLETED"), std::string::npos) << watch.output;
  CommandResult get = run({"get", id});
  EXPECT_EQ(get.exit_code, 0) << get.output;
  EXPECT_NE(get.output.find("COMPLETED"), std::string::npos) << get.output;
  EXPECT_NE(get.output.find("param      who=cli"), std::string::npos) << get.output;
  CommandResult list = run({"list", "--state", "COMPLETED"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find(id), std::string::npos) << list.output;
  CommandResult metrics = run({"metrics"});
  EXPECT_EQ(metrics.exit_code, 0);
  EXPECT_NE(metrics.output.find("live workers 1"), std::string::npos) << metrics.output;

  CommandResult cancel_done = run({"cancel", id});
  EXPECT_EQ(cancel_done.exit_code, 3) << cancel_done.output;
  EXPECT_NE(cancel_done.output.find("FAILED_PRECONDITION"), std::string::npos);
  CommandResult unknown = run({"get", "0123456789abcdef01234567"});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.output.find("NOT_FOUND"), std::string::npos) << unknown.output;
  CommandResult usage = run({"submit", "tiny", "--priority", "SOON"});
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  CommandResult down =
      RunCommand({QuirectlBinary(), "--addr", "127.0.0.1:" + std::to_string(FreePort()),
                  "--timeout", "3", "get", id},
                 {}, c.work_dir() + "/quirectl.log", 30s);
  EXPECT_EQ(down.exit_code, 4) << down.output;
  EXPECT_NE(down.output.find("UNAVAILABLE"), std::string::npos) << down.output;
}

}  // namespace
}  // namespace quire::testing
