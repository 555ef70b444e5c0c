// Job retries and time limits through the gateway and a real worker: a job
// whose data source is down is RETRY_SCHEDULED with its error and next
// attempt time, runs again after the backoff and completes, every failed
// attempt in its history (and its WatchJob stream shows the wait); a job
// out of attempts is FAILED — a dead letter — until RequeueJob sends it
// back; an error that cannot pass by waiting fails at once; a stage over
// its time limit is stopped with DEADLINE_EXCEEDED naming it; a job's own
// deadline stops it and is never retried past.
#include <gtest/gtest.h>

#include <atomic>

#include "services/proto_convert.h"
#include "tests/integration/cluster.h"
#include "tests/support/local_http_server.h"
#include "workers/worker.h"

namespace quire::testing {
namespace {

// /rows answers 503 while `failures_left` > 0 (counting down), then two
// records; /missing is always 404. Counts requests to /rows.
class FlakyApi {
 public:
  explicit FlakyApi(int failures)
      : failures_left_(failures), server_([this](httplib::Server& s) {
          s.Get("/rows", [this](const httplib::Request&, httplib::Response& res) {
            ++requests_;
            if (failures_left_.fetch_sub(1) > 0) {
              res.status = 503;
              res.set_content("maintenance", "text/plain");
              return;
            }
            res.set_content(R"([{"region": "North", "sales": 1}, {"region": "South", "sales": 2}])",
                            "application/json");
          });
          s.Get("/missing",
                [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
          // Answers after 4 s (sooner when the test ends).
          s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
            for (int i = 0; i < 200 && !stopping_; ++i) {
              std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            res.set_content("[]", "application/json");
          });
        }) {}
  ~FlakyApi() { stopping_ = true; }
  std::string Host() const { return server_.Host(); }
  std::string Url(const std::string& path) const { return server_.Url(path); }
  int requests() const { return requests_.load(); }
  void set_failures(int n) { failures_left_ = n; }

 private:
  std::atomic<int> failures_left_;
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
  test::LocalHttpServer server_;  // last: stopped first
};

std::string ApiTemplate(const std::string& id, const std::string& url,
                        const std::string& extra = "") {
  return "id: " + id + "\ntitle: Flaky\n" + extra + "sources:\n  web: {kind: http, url: \"" + url +
         "\"}\nsections:\n  - table: {source: web}\noutputs: [csv]\n";
}

// Now + d as a protobuf timestamp.
google::protobuf::Timestamp TimeIn(std::chrono::milliseconds d) {
  google::protobuf::Timestamp t;
  SetTimestamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                   (std::chrono::system_clock::now() + d).time_since_epoch())
                   .count(),
               &t);
  return t;
}

TestCluster::Options RetryOptions(const FlakyApi& api) {
  TestCluster::Options o;
  // One try per source within an attempt, so that each attempt fails fast;
  // short backoff between attempts; no cache.
  o.worker_sets = {
      "http.allow_hosts=" + api.Host(), "data.retry_attempts=1",   "data.cache_ttl_s=0",
      "queue.retry_base_ms=300",        "queue.retry_max_ms=1000", "queue.max_attempts=1"};
  return o;
}

TEST(Retries, AJobWhoseSourceIsDownIsRetriedWithBackoffAndCompletes) {
  FlakyApi api(2);
  TestCluster c(RetryOptions(api));
  c.StartWorker("w1", 2);
  // The workers' default is one attempt; the template asks for three.
  ASSERT_RPC_OK(c.PutTemplate(ApiTemplate("flaky", api.Url("/rows"), "max_attempts: 3\n")));
  const std::string id = c.SubmitOk(SubmitRequest("flaky"));

  // Watch it: the stream must show the wait and end with the completion.
  std::vector<v1::JobState> states;
  std::thread watcher([&] {
    auto ctx = Deadline(60s);
    v1::WatchJobRequest req;
    req.set_job_id(id);
    auto reader = c.jobs().WatchJob(ctx.get(), req);
    v1::JobEvent ev;
    while (reader->Read(&ev)) states.push_back(ev.state());
    (void)reader->Finish();
  });

  v1::Job waiting;
  ASSERT_TRUE(c.PollJob(
      id, [](const v1::Job& j) { return j.state() == v1::RETRY_SCHEDULED; }, 20s, &waiting))
      << "never RETRY_SCHEDULED" << c.LogTails();
  EXPECT_EQ(waiting.error_code(), "UNAVAILABLE") << Describe(waiting);
  EXPECT_NE(waiting.error_message().find("'web'"), std::string::npos) << waiting.error_message();
  EXPECT_TRUE(waiting.has_next_attempt_at());
  EXPECT_GE(waiting.attempt_errors_size(), 1);

  const v1::Job done = c.WaitForTerminal(id, 30s);
  watcher.join();
  ASSERT_EQ(done.state(), v1::COMPLETED) << Describe(done) << c.LogTails();
  EXPECT_EQ(done.attempt(), 3);
  EXPECT_EQ(api.requests(), 3);
  ASSERT_EQ(done.attempt_errors_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(done.attempt_errors(i).attempt(), i + 1);
    EXPECT_EQ(done.attempt_errors(i).error_code(), "UNAVAILABLE");
    EXPECT_NE(done.attempt_errors(i).error_message().find("503"), std::string::npos);
    EXPECT_EQ(done.attempt_errors(i).worker_id(), "w1");
  }
  // Backoff: 300 ms then 600 ms, each jittered to 0.5..1.5 times.
  const int64_t first_gap =
      Millis(done.attempt_errors(1).finished_at()) - Millis(done.attempt_errors(0).finished_at());
  const int64_t second_gap =
      Millis(done.finished_at()) - Millis(done.attempt_errors(1).finished_at());
  EXPECT_GE(first_gap, 150);
  EXPECT_GE(second_gap, 300);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(std::count(states.begin(), states.end(), v1::RETRY_SCHEDULED), 2);
  EXPECT_EQ(states.back(), v1::COMPLETED);

  v1::Metrics m;
  ASSERT_RPC_OK(c.GetMetrics(&m));
  EXPECT_EQ(m.retried_total(), 2);
}

TEST(Retries, AJobOutOfAttemptsIsADeadLetterUntilRequeued) {
  FlakyApi api(1000);
  TestCluster c(RetryOptions(api));
  c.StartWorker("w1", 2);
  ASSERT_RPC_OK(c.PutTemplate(ApiTemplate("down", api.Url("/rows"))));
  v1::SubmitJobRequest req = SubmitRequest("down");
  req.set_max_attempts(2);
  const std::string id = c.SubmitOk(req);
  v1::Job job = c.WaitForTerminal(id, 30s);
  ASSERT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "UNAVAILABLE");
  EXPECT_NE(job.error_message().find("attempt 2 of 2"), std::string::npos) << job.error_message();
  EXPECT_EQ(job.attempt_errors_size(), 2);
  EXPECT_EQ(api.requests(), 2);

  // Dead letters are listed by state.
  v1::ListJobsRequest list;
  list.set_state(v1::FAILED);
  v1::ListJobsResponse listed;
  ASSERT_RPC_OK(c.jobs().ListJobs(Deadline().get(), list, &listed));
  ASSERT_EQ(listed.jobs_size(), 1);
  EXPECT_EQ(listed.jobs(0).job_id(), id);

  // Requeued once the API is back, it completes; its history stays.
  api.set_failures(0);
  v1::RequeueJobRequest requeue;
  requeue.set_job_id(id);
  v1::RequeueJobResponse requeued;
  ASSERT_RPC_OK(c.ops().RequeueJob(Deadline().get(), requeue, &requeued));
  EXPECT_EQ(requeued.state(), v1::QUEUED);
  job = c.WaitForTerminal(id, 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  EXPECT_EQ(job.attempt(), 3);
  EXPECT_EQ(job.attempt_errors_size(), 2);

  // A completed job is not a dead letter; unknown ids are NOT_FOUND.
  grpc::Status s = c.ops().RequeueJob(Deadline().get(), requeue, &requeued);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << Describe(s);
  requeue.set_job_id("no-such-job");
  s = c.ops().RequeueJob(Deadline().get(), requeue, &requeued);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(s);
}

TEST(Retries, AnErrorThatWaitingCannotFixFailsAtOnce) {
  FlakyApi api(0);
  TestCluster c(RetryOptions(api));
  c.StartWorker("w1", 2);
  ASSERT_RPC_OK(c.PutTemplate(ApiTemplate("missing", api.Url("/missing"), "max_attempts: 5\n")));
  const v1::Job job = c.WaitForTerminal(c.SubmitOk(SubmitRequest("missing")), 30s);
  EXPECT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "NOT_FOUND");
  EXPECT_EQ(job.attempt(), 1);
  EXPECT_EQ(job.attempt_errors_size(), 1);

  // A bad max_attempts is refused at the door.
  v1::SubmitJobRequest req = SubmitRequest("missing");
  req.set_max_attempts(99);
  v1::SubmitJobResponse resp;
  const grpc::Status s = c.Submit(req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  EXPECT_NE(s.error_message().find("max_attempts"), std::string::npos);
}

TEST(TimeLimits, AStageOverItsLimitIsStoppedWithDeadlineExceededNamingIt) {
  FlakyApi api(0);
  TestCluster c(RetryOptions(api));
  c.StartWorker("w1", 2);
  ASSERT_RPC_OK(
      c.PutTemplate(ApiTemplate("slow_source", api.Url("/slow"), "timeouts: {collect: 1s}\n")));
  const v1::Job job = c.WaitForTerminal(c.SubmitOk(SubmitRequest("slow_source")), 30s);
  ASSERT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "DEADLINE_EXCEEDED");
  EXPECT_NE(job.error_message().find("COLLECTING_DATA took longer than its limit of 1 s"),
            std::string::npos)
      << job.error_message();
  // Stopped at its limit, not when the source finally answered (4 s).
  EXPECT_LT(Millis(job.finished_at()) - Millis(job.started_at()), 3500) << Describe(job);
}

TEST(TimeLimits, AJobsDeadlineStopsItAndIsNeverRetriedPast) {
  FlakyApi api(0);
  TestCluster c(RetryOptions(api));
  ASSERT_RPC_OK(c.PutTemplate(ApiTemplate("slow_deadline", api.Url("/slow"), "max_attempts: 5\n")));

  // A deadline that passes while the job waits in the queue (no worker yet).
  v1::SubmitJobRequest waits = SubmitRequest("slow_deadline");
  *waits.mutable_deadline() = TimeIn(300ms);
  const std::string waited = c.SubmitOk(waits);
  std::this_thread::sleep_for(500ms);
  c.StartWorker("w1", 2);
  v1::Job job = c.WaitForTerminal(waited, 30s);
  EXPECT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "DEADLINE_EXCEEDED");
  EXPECT_NE(job.error_message().find("deadline passed before VALIDATING"), std::string::npos)
      << job.error_message();
  EXPECT_TRUE(job.has_deadline());

  // A deadline that passes while the job runs: stopped, not retried.
  v1::SubmitJobRequest runs = SubmitRequest("slow_deadline");
  *runs.mutable_deadline() = TimeIn(1500ms);
  job = c.WaitForTerminal(c.SubmitOk(runs), 30s);
  EXPECT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "DEADLINE_EXCEEDED");
  EXPECT_NE(job.error_message().find("deadline passed during COLLECTING_DATA"), std::string::npos)
      << job.error_message();
  EXPECT_EQ(job.attempt(), 1) << "retried past its deadline";

  // A deadline in the past is refused at the door.
  v1::SubmitJobRequest late = SubmitRequest("slow_deadline");
  *late.mutable_deadline() = TimeIn(-1000ms);
  v1::SubmitJobResponse resp;
  const grpc::Status s = c.Submit(late, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
}

TEST(Scheduling, AJobWithRunAtWaitsScheduledAndStartsNoEarlier) {
  TestCluster c;
  c.StartWorker("w1", 2);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  v1::SubmitJobRequest req = SubmitRequest("tiny");
  *req.mutable_run_at() = TimeIn(1500ms);
  const std::string id = c.SubmitOk(req);
  v1::Job job;
  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_EQ(job.state(), v1::SCHEDULED) << Describe(job);
  EXPECT_TRUE(job.has_run_at());

  // quirectl shows it, and lists it by state.
  const CommandResult got = RunCommand({QuirectlBinary(), "--addr", c.gateway_addr(), "get", id},
                                       {}, c.work_dir() + "/get.log", 30s);
  EXPECT_NE(got.output.find("SCHEDULED"), std::string::npos) << got.output;
  EXPECT_NE(got.output.find("run at"), std::string::npos) << got.output;

  job = c.WaitForTerminal(id, 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  EXPECT_GE(Millis(job.started_at()), Millis(job.run_at())) << "started before its run_at";

  // A run_at not before the deadline could never run.
  v1::SubmitJobRequest never = SubmitRequest("tiny");
  *never.mutable_run_at() = TimeIn(5000ms);
  *never.mutable_deadline() = TimeIn(2000ms);
  v1::SubmitJobResponse resp;
  const grpc::Status s = c.Submit(never, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
}

TEST(Retries, BackoffDoublesUpToItsCapWithJitter) {
  RetryPolicy p;
  p.base_delay = std::chrono::milliseconds(1000);
  p.max_delay = std::chrono::milliseconds(5000);
  EXPECT_EQ(p.DelayAfter(1, 0.5).count(), 1000);
  EXPECT_EQ(p.DelayAfter(2, 0.5).count(), 2000);
  EXPECT_EQ(p.DelayAfter(3, 0.5).count(), 4000);
  EXPECT_EQ(p.DelayAfter(4, 0.5).count(), 5000);
  EXPECT_EQ(p.DelayAfter(60, 0.5).count(), 5000) << "no overflow for many attempts";
  EXPECT_EQ(p.DelayAfter(1, 0.0).count(), 500);
  EXPECT_EQ(p.DelayAfter(1, 0.999).count(), 1499);
}

}  // namespace
}  // namespace quire::testing
