// The gateway's answers to bad requests and to a Redis outage, over gRPC
// against real processes (tests/integration/cluster.h): the status code a
// client can act on and a message naming the culprit; UNAVAILABLE (not a
// hang) while Redis is down and recovery once it returns; no job lost to a
// Redis stall longer than the command timeout; gRPC health checking and
// server reflection.
//
// Not covered here: the happy paths (e2e_test.cc) and WatchJob
// (watch_test.cc).
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <string>
#include <vector>

#include "common/queue/redis_client.h"
#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

// Every gateway here accepts requests up to 64 KiB.
constexpr int kMaxRequestBytes = 64 * 1024;

TestCluster::Options SmallRequests() {
  TestCluster::Options o;
  o.gateway_sets = {"gateway.max_request_bytes=" + std::to_string(kMaxRequestBytes)};
  return o;
}

// A template with a required enum parameter and a bounded int.
const char* kParamsTemplate = R"(id: params
title: "Params {{ params.region }}"
parameters:
  - name: region
    type: enum
    values: [North, South]
    required: true
  - name: count
    type: int
    min: 1
    max: 10
    default: 5
sections:
  - text: "Region {{ params.region }}, count {{ params.count }}"
outputs: [pdf]
)";

// Line 5 has a flow mapping holding a flow sequence closed by '}' at
// column 26: the YAML parser reports the error at 5:26.
const char* kBrokenYaml =
    "id: broken\n"
    "title: \"Broken\"\n"
    "sections:\n"
    "  - heading: \"ok\"\n"
    "  - table: {source: [t, u}\n"
    "  - text: \"after\"\n"
    "outputs: [pdf]\n";

// Expects `s` to carry `code` and a message holding each of `parts`.
void ExpectError(const grpc::Status& s, grpc::StatusCode code,
                 const std::vector<std::string>& parts) {
  EXPECT_EQ(s.error_code(), code) << Describe(s);
  for (const auto& p : parts) {
    EXPECT_NE(s.error_message().find(p), std::string::npos)
        << "message does not mention '" << p << "': " << s.error_message();
  }
}

grpc::Status SubmitWithParams(TestCluster& c,
                              const std::vector<std::pair<std::string, std::string>>& params) {
  auto req = SubmitRequest("params");
  for (const auto& [k, v] : params) AddParam(&req, k, v);
  v1::SubmitJobResponse resp;
  return c.Submit(req, &resp);
}

// ---------------------------------------------------------------------------

TEST(GatewayErrors, UnknownTemplateOrVersionIsNotFound) {
  TestCluster c(SmallRequests());
  v1::SubmitJobResponse resp;
  ExpectError(c.Submit(SubmitRequest("no-such-template"), &resp), grpc::StatusCode::NOT_FOUND,
              {"no-such-template"});

  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  auto req = SubmitRequest("tiny");
  req.set_template_version(7);
  ExpectError(c.Submit(req, &resp), grpc::StatusCode::NOT_FOUND, {"tiny", "7"});
  req.set_template_version(1);
  ASSERT_RPC_OK(c.Submit(req, &resp));

  v1::GetTemplateRequest get;
  get.set_template_id("no-such-template");
  v1::TemplateInfo info;
  ExpectError(c.templates().GetTemplate(Deadline().get(), get, &info), grpc::StatusCode::NOT_FOUND,
              {"no-such-template"});
  get.set_template_id("tiny");
  get.set_version(2);
  ExpectError(c.templates().GetTemplate(Deadline().get(), get, &info), grpc::StatusCode::NOT_FOUND,
              {"tiny", "2"});
}

// DeleteTemplate: NOT_FOUND for an unknown id, FAILED_PRECONDITION while a
// queued job is pinned to a version, OK once it is cancelled; versions are
// listed by GetTemplate.
TEST(GatewayErrors, DeletingATemplateInUseIsFailedPrecondition) {
  TestCluster c(SmallRequests());
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  v1::GetTemplateRequest get;
  get.set_template_id("tiny");
  v1::TemplateInfo info;
  ASSERT_RPC_OK(c.templates().GetTemplate(Deadline().get(), get, &info));
  EXPECT_EQ(info.version(), 2);
  ASSERT_EQ(info.versions_size(), 2);
  EXPECT_EQ(info.versions(0), 1);

  v1::DeleteTemplateRequest del;
  v1::DeleteTemplateResponse deleted;
  del.set_template_id("no-such-template");
  ExpectError(c.templates().DeleteTemplate(Deadline().get(), del, &deleted),
              grpc::StatusCode::NOT_FOUND, {"no-such-template"});

  auto req = SubmitRequest("tiny");
  req.set_template_version(1);
  std::string id = c.SubmitOk(req);  // no workers: it stays queued
  del.set_template_id("tiny");
  ExpectError(c.templates().DeleteTemplate(Deadline().get(), del, &deleted),
              grpc::StatusCode::FAILED_PRECONDITION, {"tiny", "1 queued or running"});
  v1::CancelJobResponse cancelled;
  ASSERT_RPC_OK(c.Cancel(id, &cancelled));
  ASSERT_RPC_OK(c.templates().DeleteTemplate(Deadline().get(), del, &deleted));
  v1::SubmitJobResponse resp;
  ExpectError(c.Submit(SubmitRequest("tiny"), &resp), grpc::StatusCode::NOT_FOUND, {"tiny"});
}

TEST(GatewayErrors, MalformedYamlIsInvalidArgumentWithLineAndColumn) {
  TestCluster c(SmallRequests());
  v1::SubmitJobRequest req;
  req.set_inline_template(kBrokenYaml);
  v1::SubmitJobResponse resp;
  ExpectError(c.Submit(req, &resp), grpc::StatusCode::INVALID_ARGUMENT, {"5:26", "YAML"});
  ExpectError(c.PutTemplate(kBrokenYaml), grpc::StatusCode::INVALID_ARGUMENT, {"5:26", "YAML"});

  // ValidateTemplate answers OK, with the same location as fields.
  v1::ValidateTemplateRequest v;
  v.set_yaml(kBrokenYaml);
  v1::ValidateTemplateResponse validated;
  ASSERT_RPC_OK(c.templates().ValidateTemplate(Deadline().get(), v, &validated));
  EXPECT_FALSE(validated.valid());
  ASSERT_GE(validated.issues_size(), 1);
  EXPECT_EQ(validated.issues(0).code(), "yaml.syntax");
  EXPECT_EQ(validated.issues(0).line(), 5);
  EXPECT_EQ(validated.issues(0).column(), 26);

  // Nothing was stored.
  v1::ListTemplatesResponse list;
  ASSERT_RPC_OK(c.templates().ListTemplates(Deadline().get(), v1::ListTemplatesRequest(), &list));
  EXPECT_EQ(list.templates_size(), 0);
}

TEST(GatewayErrors, BadParametersAreInvalidArgumentNamingTheParameter) {
  TestCluster c(SmallRequests());
  ASSERT_RPC_OK(c.PutTemplate(kParamsTemplate));

  ExpectError(SubmitWithParams(c, {}), grpc::StatusCode::INVALID_ARGUMENT,
              {"missing required parameter", "region"});
  ExpectError(SubmitWithParams(c, {{"region", "North"}, {"colour", "red"}}),
              grpc::StatusCode::INVALID_ARGUMENT, {"unknown parameter", "colour"});
  ExpectError(SubmitWithParams(c, {{"region", "Mars"}}), grpc::StatusCode::INVALID_ARGUMENT,
              {"region", "Mars"});
  ExpectError(SubmitWithParams(c, {{"region", "South"}, {"count", "42"}}),
              grpc::StatusCode::INVALID_ARGUMENT, {"count", "42"});
  ExpectError(SubmitWithParams(c, {{"region", "South"}, {"count", "many"}}),
              grpc::StatusCode::INVALID_ARGUMENT, {"count", "many"});
  ASSERT_RPC_OK(SubmitWithParams(c, {{"region", "South"}, {"count", "3"}}));

  // In a batch each job is judged alone; the valid ones are queued.
  v1::SubmitJobsRequest batch;
  *batch.add_jobs() = SubmitRequest("params");
  AddParam(batch.mutable_jobs(0), "region", "North");
  *batch.add_jobs() = SubmitRequest("params");
  AddParam(batch.mutable_jobs(1), "region", "Mars");
  *batch.add_jobs() = SubmitRequest("no-such-template");
  v1::SubmitJobsResponse results;
  ASSERT_RPC_OK(c.jobs().SubmitJobs(Deadline().get(), batch, &results));
  ASSERT_EQ(results.results_size(), 3);
  EXPECT_EQ(results.results(0).code(), 0) << results.results(0).message();
  EXPECT_FALSE(results.results(0).response().job_id().empty());
  EXPECT_EQ(results.results(1).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_NE(results.results(1).message().find("Mars"), std::string::npos)
      << results.results(1).message();
  EXPECT_TRUE(results.results(1).response().job_id().empty());
  EXPECT_EQ(results.results(2).code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));

  v1::Metrics m;
  ASSERT_RPC_OK(c.GetMetrics(&m));
  EXPECT_EQ(m.submitted_total(), 2) << "only the valid jobs are queued";
}

TEST(GatewayErrors, OversizeRequestsAreResourceExhausted) {
  TestCluster c(SmallRequests());
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));

  // A 200 KiB inline template against a 64 KiB limit.
  std::string big = TinyTemplate("big");
  big.replace(big.find("One short paragraph"), 0, std::string(200 * 1024, 'x'));
  v1::SubmitJobRequest req;
  req.set_inline_template(big);
  v1::SubmitJobResponse resp;
  grpc::Status s = c.Submit(req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(s);
  s = c.PutTemplate(big);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(s);

  // 1,001 jobs in one batch; 1,000 is the most allowed.
  v1::SubmitJobsRequest batch;
  for (int i = 0; i < 1001; ++i) *batch.add_jobs() = SubmitRequest("tiny");
  ASSERT_LT(batch.ByteSizeLong(), static_cast<size_t>(kMaxRequestBytes))
      << "the batch must be refused for its count, not its size";
  v1::SubmitJobsResponse results;
  s = c.jobs().SubmitJobs(Deadline().get(), batch, &results);
  ExpectError(s, grpc::StatusCode::RESOURCE_EXHAUSTED, {"1001"});
  v1::Metrics m;
  ASSERT_RPC_OK(c.GetMetrics(&m));
  EXPECT_EQ(m.submitted_total(), 0) << "a refused batch queues nothing";

  batch.mutable_jobs()->RemoveLast();
  ASSERT_RPC_OK(c.jobs().SubmitJobs(Deadline().get(), batch, &results));
  EXPECT_EQ(results.results_size(), 1000);
  ASSERT_RPC_OK(c.GetMetrics(&m));
  EXPECT_EQ(m.submitted_total(), 1000);

  // The gateway still serves normal requests afterwards.
  ASSERT_RPC_OK(c.Submit(SubmitRequest("tiny"), &resp));
}

TEST(GatewayErrors, MissingTemplateUnknownJobAndArtifactPreconditions) {
  TestCluster c(SmallRequests());
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  v1::SubmitJobResponse resp;

  v1::SubmitJobRequest neither;
  ExpectError(c.Submit(neither, &resp), grpc::StatusCode::INVALID_ARGUMENT,
              {"template_id", "inline_template"});
  v1::SubmitJobRequest both = SubmitRequest("tiny");
  both.set_inline_template(TinyTemplate());
  ExpectError(c.Submit(both, &resp), grpc::StatusCode::INVALID_ARGUMENT, {"not both"});

  const std::string unknown = "0000000000000aaaaaaaaaaa";
  v1::Job job;
  ExpectError(c.GetJob(unknown, &job), grpc::StatusCode::NOT_FOUND, {unknown});
  ExpectError(c.GetJob("", &job), grpc::StatusCode::INVALID_ARGUMENT, {"job_id"});
  ExpectError(c.GetJob("a:b/c", &job), grpc::StatusCode::INVALID_ARGUMENT, {"a:b/c"});
  v1::CancelJobResponse cancelled;
  ExpectError(c.Cancel(unknown, &cancelled), grpc::StatusCode::NOT_FOUND, {unknown});

  std::string data;
  ExpectError(c.GetArtifact(unknown, "report.pdf", &data), grpc::StatusCode::NOT_FOUND, {unknown});

  // A queued job has no artifacts yet.
  std::string id = c.SubmitOk(SubmitRequest("tiny"));
  ASSERT_FALSE(id.empty());
  ExpectError(c.GetArtifact(id, "report.pdf", &data), grpc::StatusCode::FAILED_PRECONDITION,
              {"QUEUED"});

  // A completed job has only the artifacts it lists.
  c.StartWorker("w1", 1);
  job = c.WaitForTerminal(id, 30s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  ExpectError(c.GetArtifact(id, "report.xlsx", &data), grpc::StatusCode::NOT_FOUND,
              {"report.xlsx", "report.pdf"});
  ExpectError(c.GetArtifact(id, "../../etc/passwd", &data), grpc::StatusCode::NOT_FOUND, {});
  ASSERT_RPC_OK(c.GetArtifact(id, "report.pdf", &data));
  EXPECT_EQ(data.substr(0, 4), "%PDF");
}

// ---------------------------------------------------------------------------
// Redis outages.

// Calls `rpc` until it returns OK or `timeout` passes; the last status.
grpc::Status RetryUntilOk(const std::function<grpc::Status()>& rpc,
                          std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  grpc::Status s;
  do {
    s = rpc();
    if (s.ok()) return s;
    std::this_thread::sleep_for(100ms);
  } while (Clock::now() < deadline);
  return s;
}

// Expects UNAVAILABLE from the gateway (naming Redis) well before the
// client's 10 s deadline.
void ExpectUnavailable(const char* what, const std::function<grpc::Status()>& rpc) {
  auto start = Clock::now();
  grpc::Status s = rpc();
  double took = Seconds(Clock::now() - start);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << what << ": " << Describe(s);
  EXPECT_NE(s.error_message().find("redis"), std::string::npos)
      << what << ": the gateway should say Redis is the problem: " << Describe(s);
  EXPECT_LT(took, 5.0) << what << " took " << took << " s to answer";
}

TEST(GatewayErrors, RedisDownIsUnavailableAndTheGatewayRecovers) {
  TestCluster c(SmallRequests());
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  std::string before = c.SubmitOk(SubmitRequest("tiny"));
  ASSERT_FALSE(before.empty());

  c.redis().Stop();
  ExpectUnavailable("SubmitJob", [&] {
    v1::SubmitJobResponse resp;
    return c.Submit(SubmitRequest("tiny"), &resp);
  });
  ExpectUnavailable("GetJob", [&] {
    v1::Job job;
    return c.GetJob(before, &job);
  });
  ExpectUnavailable("PutTemplate", [&] { return c.PutTemplate(TinyTemplate()); });
  ExpectUnavailable("GetMetrics", [&] {
    v1::Metrics m;
    return c.GetMetrics(&m);
  });
  ASSERT_TRUE(c.gateway().running()) << "the gateway died without Redis" << c.LogTails();

  // Redis returns on the same port, empty.
  c.redis().Start();
  auto back = Clock::now();
  ASSERT_RPC_OK(RetryUntilOk([&] { return c.PutTemplate(TinyTemplate()); }, 10s));
  EXPECT_LT(Seconds(Clock::now() - back), 5.0) << "the gateway took long to reconnect";
  std::string after = c.SubmitOk(SubmitRequest("tiny"));
  ASSERT_FALSE(after.empty());
  v1::Job job;
  ExpectError(c.GetJob(before, &job), grpc::StatusCode::NOT_FOUND, {before});

  c.StartWorker("w1", 1);
  job = c.WaitForTerminal(after, 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
}

TEST(GatewayErrors, WorkerRunningThroughARedisOutageCompletesLaterJobs) {
  TestCluster c(SmallRequests());
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  c.StartWorker("w1", 2);
  std::string first = c.SubmitOk(SubmitRequest("tiny"));
  v1::Job job = c.WaitForTerminal(first, 30s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job);

  c.redis().Stop();
  std::this_thread::sleep_for(3s);  // the worker's leases and heartbeats fail meanwhile
  ASSERT_TRUE(c.worker("w1").running()) << "the worker died without Redis" << c.LogTails();
  c.redis().Start();

  ASSERT_RPC_OK(RetryUntilOk([&] { return c.PutTemplate(TinyTemplate()); }, 10s));
  std::string after = c.SubmitOk(SubmitRequest("tiny"));
  ASSERT_FALSE(after.empty());

  // A watcher opened now follows it to the end: the gateway's event hub
  // reconnected too.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 30s);
  v1::WatchJobRequest wreq;
  wreq.set_job_id(after);
  auto reader = c.jobs().WatchJob(&ctx, wreq);
  v1::JobEvent ev;
  v1::JobState last = v1::JOB_STATE_UNSPECIFIED;
  while (reader->Read(&ev)) last = ev.state();
  grpc::Status ws = reader->Finish();
  EXPECT_TRUE(ws.ok()) << "WatchJob: " << Describe(ws);
  EXPECT_EQ(last, v1::COMPLETED);

  job = c.WaitForTerminal(after, 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job) << c.LogTails();
  EXPECT_EQ(job.worker_id(), "w1");
}

// Redis (with AOF, as deploy/ runs it) restarted in the middle of a run of
// 300 jobs on two workers: every accepted job completes, exactly once.
TEST(GatewayErrors, RedisRestartedWithAofMidRunLosesNoJobAndRunsNoneTwice) {
  constexpr int kJobs = 300;
  TestCluster::Options options = SmallRequests();
  options.redis_aof = true;
  // Short leases: an attempt that could not read its template during the
  // restart is left to its lease, and runs again soon.
  options.worker_sets = {"queue.lease_ms=1500", "worker.lease_extend_ms=300"};
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  const std::vector<std::string> ids = c.SubmitMany(SubmitRequest("tiny"), kJobs);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kJobs));
  c.StartWorker("w1", 4);
  c.StartWorker("w2", 4);

  // Restart once a part of the run is done.
  const auto until = Clock::now() + 60s;
  v1::Metrics m;
  while (Clock::now() < until) {
    if (c.GetMetrics(&m).ok() && m.completed_total() >= kJobs / 5) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_LT(m.completed_total(), kJobs) << "the run ended before the restart";
  c.redis().Restart();

  for (const std::string& id : ids) {
    const v1::Job job = c.WaitForTerminal(id, 120s);
    ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job) << c.LogTails();
    EXPECT_EQ(job.artifacts_size(), 1) << Describe(job);
  }
  ASSERT_RPC_OK(RetryUntilOk([&] { return c.GetMetrics(&m); }, 10s));
  EXPECT_EQ(m.completed_total(), kJobs) << "a job was completed twice or not at all";
  EXPECT_EQ(m.failed_total(), 0);
  EXPECT_TRUE(c.worker("w1").running() && c.worker("w2").running()) << c.LogTails();
}

// Keeps Redis busy for ARGV[1] ms: a slow script of some other client.
const char* kBusyScript = R"lua(
local function now() local t = redis.call('TIME') return t[1] * 1000 + t[2] / 1000 end
local stop = now() + tonumber(ARGV[1])
while now() < stop do end
return 1
)lua";

// Redis stalls (a slow script of another client, as a slow fork or a
// failover would) for 3 s, longer than redis.timeout_ms (2 s), twice while
// two workers run jobs. The workers' calls time out, but Redis runs them
// once the stall ends. No job may end FAILED because of a stall, and every
// COMPLETED job must still have its artifacts. Leases (5 s) outlast the
// stall, so a job is never reclaimed merely because its worker could not
// extend the lease during it.
TEST(GatewayErrors, RedisStallLongerThanTheCommandTimeoutLosesNoJob) {
  constexpr int kJobs = 1000;
  TestCluster::Options options = SmallRequests();
  options.worker_sets = {"queue.lease_ms=5000", "worker.lease_extend_ms=300"};
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  ASSERT_EQ(c.SubmitMany(SubmitRequest("tiny"), kJobs).size(), static_cast<size_t>(kJobs));

  c.StartWorker("w1", 4);
  c.StartWorker("w2", 4);
  v1::Metrics m;
  int64_t completed_before_stall = 0;
  for (int stall = 0; stall < 2; ++stall) {
    // Stall while jobs are in flight: some more have completed, many wait.
    auto deadline = Clock::now() + 30s;
    while (!c.GetMetrics(&m).ok() || m.completed_total() < completed_before_stall + 20) {
      ASSERT_LT(Clock::now(), deadline) << "the workers do not run jobs" << c.LogTails();
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_LT(m.completed_total(), kJobs * 3 / 4) << "jobs ran too fast to be caught by stalls";
    CommandResult busy = RunCommand({"/usr/bin/redis-cli", "-p", std::to_string(c.redis().port()),
                                     "EVAL", kBusyScript, "0", "3000"},
                                    {}, c.work_dir() + "/redis-cli.log", 10s);
    ASSERT_EQ(busy.exit_code, 0) << busy.output;
    completed_before_stall = m.completed_total();
  }

  // The gateway's own calls may time out during a stall too: retry them.
  auto deadline = Clock::now() + 90s;
  while (!c.GetMetrics(&m).ok() || m.completed_total() + m.failed_total() < kJobs) {
    ASSERT_LT(Clock::now(), deadline)
        << "after the stalls only " << m.completed_total() << " of " << kJobs
        << " jobs completed and " << m.failed_total() << " failed" << c.LogTails();
    std::this_thread::sleep_for(100ms);
  }

  v1::ListJobsRequest list;
  list.set_page_size(1000);
  v1::ListJobsResponse all;
  ASSERT_RPC_OK(c.jobs().ListJobs(Deadline().get(), list, &all));
  ASSERT_EQ(all.jobs_size(), kJobs);
  int failed = 0, missing = 0;
  for (const auto& j : all.jobs()) {
    if (j.state() != v1::COMPLETED) {
      if (++failed <= 3) ADD_FAILURE() << "a job ended because Redis stalled: " << Describe(j);
      continue;
    }
    if (FilesUnder(c.artifacts_dir() + "/" + j.job_id()).empty()) {
      std::string data;
      grpc::Status s = c.GetArtifact(j.job_id(), "report.pdf", &data);
      if (++missing <= 3) {
        ADD_FAILURE() << "COMPLETED job without its artifact files: " << Describe(j)
                      << "; GetArtifact: " << Describe(s);
      }
    }
  }
  EXPECT_EQ(failed, 0) << "jobs FAILED by a Redis stall" << c.LogTails(3000);
  EXPECT_EQ(missing, 0) << "COMPLETED jobs whose artifacts were discarded";
  EXPECT_EQ(m.completed_total(), kJobs);
}

// ---------------------------------------------------------------------------
// Health checking and reflection, with hand-encoded protobuf (no generated
// stubs for these services ship with the system gRPC).

grpc::ByteBuffer Bytes(const std::string& s) {
  grpc::Slice slice(s.data(), s.size());
  return grpc::ByteBuffer(&slice, 1);
}

std::string Bytes(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!b.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

TEST(GatewayErrors, HealthCheckIsServing) {
  TestCluster c(SmallRequests());
  grpc::GenericStub stub(c.channel());
  // HealthCheckRequest{service: ""} is the empty message.
  grpc::ByteBuffer request = Bytes(std::string());
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(s); });
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(15s), std::future_status::ready) << "health check never answered";
  grpc::Status s = future.get();
  ASSERT_TRUE(s.ok()) << Describe(s);
  // HealthCheckResponse{status: SERVING}: field 1, varint 1.
  EXPECT_EQ(Bytes(response), std::string("\x08\x01", 2));
}

// Waits for the completion of `tag` on `cq`; false on failure or timeout.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  auto status = cq.AsyncNext(&got, &ok, std::chrono::system_clock::now() + 10s);
  return status == grpc::CompletionQueue::GOT_EVENT && got == tag && ok;
}

TEST(GatewayErrors, ReflectionListsTheServices) {
  TestCluster c(SmallRequests());
  grpc::GenericStub stub(c.channel());
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  ASSERT_NE(call, nullptr);
  int tags[5];
  call->StartCall(&tags[0]);
  ASSERT_TRUE(Await(cq, &tags[0])) << "reflection call did not start";
  // ServerReflectionRequest{list_services: ""}: field 7, length 0.
  call->Write(Bytes(std::string("\x3a\x00", 2)), &tags[1]);
  ASSERT_TRUE(Await(cq, &tags[1]));
  call->WritesDone(&tags[2]);
  ASSERT_TRUE(Await(cq, &tags[2]));
  grpc::ByteBuffer response;
  call->Read(&response, &tags[3]);
  ASSERT_TRUE(Await(cq, &tags[3])) << "no reflection response";
  grpc::Status status;
  call->Finish(&status, &tags[4]);
  ASSERT_TRUE(Await(cq, &tags[4]));
  EXPECT_TRUE(status.ok()) << Describe(status);
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }

  std::string text = Bytes(response);
  for (const char* service :
       {"quire.v1.JobService", "quire.v1.TemplateService", "quire.v1.OpsService",
        "quire.v1.RenderService", "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_NE(text.find(service), std::string::npos) << service << " is not listed";
  }
}

}  // namespace
}  // namespace quire::testing

namespace quire::testing {
namespace {

// `quirectl validate` needs no server: findings compiler-style, in file
// order, and exit code 2 when any is an ERROR; 0 for the shipped templates.
TEST(QuirectlValidate, CompilerStyleFindingsAndExitCodes) {
  TempDir dir;
  const std::string bad = dir.path() + "/bad.yaml";
  std::ofstream(bad) << "id: typo\n"
                        "titel: \"Oops\"\n"
                        "sections:\n"
                        "  - chart: {type: lines, source: s, x: k, y: [v]}\n"
                        "sources:\n"
                        "  s:\n"
                        "    kind: inline\n"
                        "    columns: [{name: k, type: text}, {name: v, type: float}]\n"
                        "    rows: [[a, 1]]\n";
  CommandResult r = RunCommand({QuirectlBinary(), "validate", bad}, {}, dir.path() + "/v.log", 30s);
  ASSERT_EQ(r.exit_code, 2) << r.output;
  const std::string missing = bad + ":1:1: error: missing required field 'title' [field.required]";
  const std::string unknown = bad + ":2:1: warning: unknown field 'titel' [field.unknown] (titel)";
  const std::string chart = bad + ":4:19: error: unknown chart type 'lines' [chart.type]";
  size_t a = r.output.find(missing), b = r.output.find(unknown), c = r.output.find(chart);
  ASSERT_NE(a, std::string::npos) << r.output;
  ASSERT_NE(b, std::string::npos) << r.output;
  ASSERT_NE(c, std::string::npos) << r.output;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(r.output.find("did you mean 'line'?"), std::string::npos) << r.output;

  for (const char* name : {"demo", "ops_kpi", "quality_events", "sales_summary"}) {
    std::string path = SourceDir() + "/deploy/templates/" + name + ".yaml";
    CommandResult ok =
        RunCommand({QuirectlBinary(), "validate", path}, {}, dir.path() + "/v.log", 30s);
    EXPECT_EQ(ok.exit_code, 0) << name << ": " << ok.output;
  }
}

}  // namespace
}  // namespace quire::testing

namespace quire::testing {
namespace {

// Garbage in Redis job records — a truncated parameter list, a record of
// the wrong type — fails those jobs with DATA_LOSS and a clear message; the
// worker keeps serving the others.
TEST(GatewayErrors, GarbageInJobRecordsFailsThoseJobsAndTheWorkerServesOthers) {
  TestCluster c;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  const std::string truncated = c.SubmitOk(SubmitRequest("tiny"));
  const std::string wrong_type = c.SubmitOk(SubmitRequest("tiny"));
  const std::string fine = c.SubmitOk(SubmitRequest("tiny"));
  {
    RedisPool pool(
        RedisOptions{"127.0.0.1", c.redis().port(), "", std::chrono::milliseconds(2000)});
    auto conn = pool.Borrow();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(
        (*conn)->Command({"HSET", "{quire}:job:" + truncated, "params", "[[\"who\",\"x"}).ok());
    ASSERT_TRUE((*conn)->Command({"DEL", "{quire}:job:" + wrong_type}).ok());
    ASSERT_TRUE((*conn)->Command({"LPUSH", "{quire}:job:" + wrong_type, "junk"}).ok());
  }
  c.StartWorker("w1", 2);
  v1::Job job = c.WaitForTerminal(truncated, 30s);
  EXPECT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "DATA_LOSS");
  EXPECT_NE(job.error_message().find("parameters are not valid JSON"), std::string::npos)
      << job.error_message();
  job = c.WaitForTerminal(wrong_type, 30s);
  EXPECT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "DATA_LOSS");
  job = c.WaitForTerminal(fine, 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  // And later jobs still run.
  job = c.WaitForTerminal(c.SubmitOk(SubmitRequest("tiny")), 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
}

}  // namespace
}  // namespace quire::testing
