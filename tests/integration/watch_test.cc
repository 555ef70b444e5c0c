// WatchJob over gRPC against real processes (tests/integration/cluster.h):
// the event sequence of one job, events across two gateways sharing one
// Redis, 1,000 concurrent streams on one gateway (which must not cost a
// thread each), and unknown jobs.
//
// Not covered here: the pub/sub plumbing alone (EventHub) and other RPCs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

using testing::Describe;

std::string Describe(const v1::JobEvent& e) {
  std::string out = "#";
  out += std::to_string(e.sequence());
  out += " " + v1::JobState_Name(e.state()) + " " + v1::Stage_Name(e.stage()) + " ";
  out += std::to_string(e.progress_percent()) + "% attempt " + std::to_string(e.attempt());
  return out;
}

std::string Describe(const std::vector<v1::JobEvent>& events) {
  std::string out;
  for (const auto& e : events) out += "\n  " + Describe(e);
  return out;
}

// Reads a whole WatchJob stream (bounded by a deadline); `on_first` runs
// after the first event.
struct WatchResult {
  std::vector<v1::JobEvent> events;
  grpc::Status status;
};

WatchResult WatchToEnd(v1::JobService::Stub& stub, const std::string& id,
                       const std::function<void()>& on_first = nullptr,
                       std::chrono::milliseconds deadline = 60s) {
  WatchResult result;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  v1::WatchJobRequest req;
  req.set_job_id(id);
  auto reader = stub.WatchJob(&ctx, req);
  v1::JobEvent ev;
  while (reader->Read(&ev)) {
    result.events.push_back(ev);
    if (result.events.size() == 1 && on_first) on_first();
  }
  result.status = reader->Finish();
  return result;
}

// The events of one complete, unreclaimed run: QUEUED first; then RUNNING
// through the five stages in order with rising progress; COMPLETED last;
// sequence numbers growing by one.
void ExpectFullRun(const std::string& id, const std::vector<v1::JobEvent>& events) {
  SCOPED_TRACE("events of job " + id + ":" + Describe(events));
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front().state(), v1::QUEUED);
  EXPECT_EQ(events.back().state(), v1::COMPLETED);
  EXPECT_EQ(events.back().progress_percent(), 100);
  std::vector<v1::Stage> stages;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    EXPECT_EQ(e.job_id(), id);
    if (i > 0) {
      EXPECT_GT(e.sequence(), events[i - 1].sequence()) << "at event " << i;
      EXPECT_EQ(e.sequence(), events[i - 1].sequence() + 1)
          << "a change of the job was not streamed, before event " << i;
      EXPECT_GE(e.progress_percent(), events[i - 1].progress_percent()) << "at event " << i;
      EXPECT_GE(Millis(e.time()), Millis(events[i - 1].time())) << "at event " << i;
    }
    if (i > 0 && i + 1 < events.size()) {
      EXPECT_EQ(e.state(), v1::RUNNING) << "at event " << i;
      EXPECT_EQ(e.attempt(), 1);
      if (e.stage() != v1::STAGE_UNSPECIFIED && (stages.empty() || stages.back() != e.stage())) {
        stages.push_back(e.stage());
      }
    }
  }
  EXPECT_EQ(stages,
            (std::vector<v1::Stage>{v1::VALIDATING, v1::COLLECTING_DATA, v1::GENERATING_CHARTS,
                                    v1::RENDERING_REPORT, v1::FINALIZING}));
}

// ---------------------------------------------------------------------------

TEST(WatchJob, StreamsEveryChangeFromQueuedToCompleted) {
  TestCluster c;
  ASSERT_RPC_OK(c.PutTemplate(DemoTemplate()));
  std::string id = c.SubmitOk(SubmitRequest("demo"));
  ASSERT_FALSE(id.empty());

  // The worker starts only once the stream has shown the queued state.
  WatchResult r = WatchToEnd(c.jobs(), id, [&] { c.StartWorker("w1", 1); });
  ASSERT_TRUE(r.status.ok()) << "stream ended with " << Describe(r.status) << Describe(r.events)
                             << c.LogTails();
  ExpectFullRun(id, r.events);

  // Watching a finished job: one event, its terminal state, then OK.
  WatchResult again = WatchToEnd(c.jobs(), id);
  ASSERT_TRUE(again.status.ok()) << Describe(again.status);
  ASSERT_EQ(again.events.size(), 1u) << Describe(again.events);
  EXPECT_EQ(again.events[0].state(), v1::COMPLETED);
  EXPECT_EQ(again.events[0].sequence(), r.events.back().sequence());
}

TEST(WatchJob, GatewayStreamsJobsSubmittedThroughAnotherGateway) {
  TestCluster::Options options;
  options.gateways = 2;
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate(), nullptr, /*gw=*/0));
  std::string id = c.SubmitOk(SubmitRequest("tiny"), /*gw=*/0);
  ASSERT_FALSE(id.empty());

  WatchResult r = WatchToEnd(c.jobs(1), id, [&] { c.StartWorker("w1", 1); });
  ASSERT_TRUE(r.status.ok()) << "stream on gateway 1 ended with " << Describe(r.status)
                             << Describe(r.events) << c.LogTails();
  ExpectFullRun(id, r.events);
}

TEST(WatchJob, UnknownJobIsNotFound) {
  TestCluster c;
  const std::string unknown = "0000000000000bbbbbbbbbbb";
  WatchResult r = WatchToEnd(c.jobs(), unknown, nullptr, 15s);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(r.status);
  EXPECT_NE(r.status.error_message().find(unknown), std::string::npos) << Describe(r.status);
  EXPECT_TRUE(r.events.empty()) << Describe(r.events);

  r = WatchToEnd(c.jobs(), "not a job id", nullptr, 15s);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(r.status);
}

// ---------------------------------------------------------------------------
// 1,000 streams at once, with the callback client API.

// Counts shared by every watcher of one test.
struct WatchTally {
  std::mutex mu;
  std::condition_variable cv;
  int first_events = 0;  // guarded by mu
  int done = 0;          // guarded by mu
};

// One WatchJob stream; records its events and final status.
class Watcher final : public grpc::ClientReadReactor<v1::JobEvent> {
 public:
  Watcher(v1::JobService::Stub& stub, const std::string& id, WatchTally* tally,
          std::chrono::milliseconds deadline)
      : tally_(tally) {
    req_.set_job_id(id);
    ctx_.set_deadline(std::chrono::system_clock::now() + deadline);
    stub.async()->WatchJob(&ctx_, &req_, this);
    StartRead(&event_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    bool first;
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(event_);
      first = events_.size() == 1;
    }
    if (first) {
      std::lock_guard<std::mutex> lock(tally_->mu);
      ++tally_->first_events;
      tally_->cv.notify_all();
    }
    StartRead(&event_);
  }

  void OnDone(const grpc::Status& s) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_ = s;
    }
    std::lock_guard<std::mutex> lock(tally_->mu);
    ++tally_->done;
    tally_->cv.notify_all();
  }

  void Cancel() { ctx_.TryCancel(); }
  const std::string& job_id() const { return req_.job_id(); }
  std::vector<v1::JobEvent> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  grpc::Status status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  WatchTally* const tally_;
  grpc::ClientContext ctx_;
  v1::WatchJobRequest req_;
  v1::JobEvent event_;
  std::mutex mu_;
  std::vector<v1::JobEvent> events_;  // guarded by mu_
  grpc::Status status_;               // guarded by mu_
};

using Watchers = std::vector<std::unique_ptr<Watcher>>;

// Waits up to `timeout` until every stream in `watchers` has ended.
bool WaitAllDone(WatchTally& tally, const Watchers& watchers, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(tally.mu);
  return tally.cv.wait_for(lock, timeout,
                           [&] { return tally.done == static_cast<int>(watchers.size()); });
}

// However a test ends, cancels its streams and waits for each reactor's
// OnDone before the reactors are destroyed (leaking them if they hang).
class CancelOnExit {
 public:
  CancelOnExit(WatchTally& tally, Watchers& watchers) : tally_(tally), watchers_(watchers) {}
  ~CancelOnExit() {
    for (auto& w : watchers_) w->Cancel();
    if (!WaitAllDone(tally_, watchers_, 30s)) {
      ADD_FAILURE() << "streams did not end after cancelling; leaking their reactors";
      for (auto& w : watchers_) w.release();
    }
  }

 private:
  WatchTally& tally_;
  Watchers& watchers_;
};

// A gateway stopped (SIGTERM) with 100 open streams ends each with
// UNAVAILABLE at once; the clients watch again on another gateway and see
// their jobs through to the end.
TEST(WatchJob, GatewayShutdownEndsStreamsWithARetryableStatusAndClientsResume) {
  constexpr int kStreams = 100;
  TestCluster::Options options;
  options.gateways = 2;
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  std::vector<std::string> ids;
  for (int i = 0; i < kStreams; ++i) ids.push_back(c.SubmitOk(SubmitRequest("tiny")));

  WatchTally tally;
  Watchers watchers;
  CancelOnExit cleanup(tally, watchers);
  for (const std::string& id : ids) {
    watchers.push_back(std::make_unique<Watcher>(c.jobs(1), id, &tally, 60s));
  }
  {
    std::unique_lock<std::mutex> lock(tally.mu);
    ASSERT_TRUE(tally.cv.wait_for(lock, 30s, [&] { return tally.first_events == kStreams; }));
  }
  const auto stop_start = Clock::now();
  c.gateway(1).Stop(20s);
  ASSERT_TRUE(WaitAllDone(tally, watchers, 10s)) << "streams did not end with their gateway";
  EXPECT_LT(Seconds(Clock::now() - stop_start), 4.0) << "the streams held the shutdown";
  for (auto& w : watchers) {
    const grpc::Status s = w->status();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(s);
    EXPECT_NE(s.error_message().find("WatchJob again"), std::string::npos) << Describe(s);
  }

  // The clients resume on the other gateway; a worker runs the jobs.
  WatchTally again;
  Watchers resumed;
  CancelOnExit cleanup_again(again, resumed);
  for (const std::string& id : ids) {
    resumed.push_back(std::make_unique<Watcher>(c.jobs(0), id, &again, 90s));
  }
  c.StartWorker("w1", 8);
  ASSERT_TRUE(WaitAllDone(again, resumed, 90s)) << c.LogTails();
  for (auto& w : resumed) {
    EXPECT_TRUE(w->status().ok()) << Describe(w->status());
    const auto events = w->events();
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().state(), v1::COMPLETED) << Describe(events);
  }
}

TEST(WatchJob, ThousandConcurrentStreamsHoldNoThreads) {
  constexpr int kJobs = 1000;
  TestCluster c;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  v1::SubmitJobsRequest batch;
  for (int i = 0; i < kJobs; ++i) *batch.add_jobs() = SubmitRequest("tiny");
  v1::SubmitJobsResponse submitted;
  ASSERT_RPC_OK(c.jobs().SubmitJobs(Deadline(30s).get(), batch, &submitted));
  ASSERT_EQ(submitted.results_size(), kJobs);
  const int threads_before = ThreadCount(c.gateway().pid());

  WatchTally tally;
  std::vector<std::unique_ptr<Watcher>> watchers;
  watchers.reserve(kJobs);
  // However the test ends, no reactor is destroyed before its OnDone.
  CancelOnExit cleanup(tally, watchers);  // no reactor dies before its OnDone

  auto open_start = Clock::now();
  for (const auto& r : submitted.results()) {
    ASSERT_EQ(r.code(), 0) << r.message();
    watchers.push_back(std::make_unique<Watcher>(c.jobs(), r.response().job_id(), &tally, 180s));
  }
  {
    std::unique_lock<std::mutex> lock(tally.mu);
    bool all_first = tally.cv.wait_for(lock, 60s, [&] { return tally.first_events == kJobs; });
    ASSERT_TRUE(all_first) << "after 60 s only " << tally.first_events << " of " << kJobs
                           << " streams had their first event (" << tally.done << " ended)"
                           << c.LogTails();
    ASSERT_EQ(tally.done, 0) << "streams ended before their job did";
  }
  RecordProperty("seconds_to_open_1000_streams",
                 std::to_string(Seconds(Clock::now() - open_start)));
  for (auto& w : watchers) {
    auto events = w->events();
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events[0].state(), v1::QUEUED) << w->job_id() << ": " << Describe(events[0]);
  }

  // 1,000 open streams must not cost a thread each.
  const int threads_open = ThreadCount(c.gateway().pid());
  RecordProperty("gateway_threads", std::to_string(threads_before) + " before, " +
                                        std::to_string(threads_open) + " with 1000 streams");
  EXPECT_GT(threads_open, 0);
  EXPECT_LT(threads_open, 100) << "the gateway runs " << threads_open
                               << " threads with 1,000 open WatchJob streams (" << threads_before
                               << " before)";

  auto run_start = Clock::now();
  c.StartWorker("w1", 4);
  c.StartWorker("w2", 4);
  bool all_done = WaitAllDone(tally, watchers, 120s);
  int done_count;
  {
    std::lock_guard<std::mutex> lock(tally.mu);
    done_count = tally.done;
  }
  v1::Metrics m;
  (void)c.GetMetrics(&m);
  ASSERT_TRUE(all_done) << "after 120 s only " << done_count << " of " << kJobs
                        << " streams ended; " << m.completed_total() << " jobs completed"
                        << c.LogTails();
  RecordProperty("seconds_to_run_1000_jobs", std::to_string(Seconds(Clock::now() - run_start)));

  int bad = 0;
  for (auto& w : watchers) {
    grpc::Status s = w->status();
    auto events = w->events();
    bool ok = s.ok() && !events.empty() && events.back().state() == v1::COMPLETED;
    if (!ok && ++bad <= 5) {
      ADD_FAILURE() << "stream of " << w->job_id() << " ended with " << Describe(s)
                    << Describe(events);
    }
  }
  EXPECT_EQ(bad, 0) << "streams that did not end with COMPLETED and OK";
  EXPECT_EQ(m.completed_total(), kJobs);
}

// The body of GET http://127.0.0.1:<port><path> ("" on any error), with a
// 5 s receive timeout.
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// The value of quire_gateway_watch_streams on a gateway's /metrics; -1
// when it cannot be read.
int OpenStreams(int metrics_port) {
  const std::string kName = "\nquire_gateway_watch_streams ";
  std::string text(1, '\n');
  text += HttpGet(metrics_port, "/metrics");
  size_t at = text.find(kName);
  return at == std::string::npos ? -1 : std::atoi(text.c_str() + at + kName.size());
}

TEST(WatchJob, StreamsCancelledByTheClientAreReleased) {
  constexpr int kStreams = 200;
  const int metrics_port = FreePort();
  TestCluster::Options options;
  options.gateway_sets = {"gateway.metrics_listen=127.0.0.1:" + std::to_string(metrics_port)};
  TestCluster c(options);
  ASSERT_TRUE(WaitForPort(metrics_port, 10s)) << "no /metrics endpoint" << c.LogTails();
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  v1::SubmitJobsRequest batch;
  for (int i = 0; i < kStreams / 2; ++i) *batch.add_jobs() = SubmitRequest("tiny");
  v1::SubmitJobsResponse submitted;
  ASSERT_RPC_OK(c.jobs().SubmitJobs(Deadline().get(), batch, &submitted));
  EXPECT_EQ(OpenStreams(metrics_port), 0);

  // Two streams per job, so that the gateway shares subscriptions.
  WatchTally tally;
  std::vector<std::unique_ptr<Watcher>> watchers;
  CancelOnExit cleanup(tally, watchers);  // no reactor dies before its OnDone
  for (int round = 0; round < 2; ++round) {
    for (const auto& r : submitted.results()) {
      watchers.push_back(std::make_unique<Watcher>(c.jobs(), r.response().job_id(), &tally, 60s));
    }
  }
  {
    std::unique_lock<std::mutex> lock(tally.mu);
    ASSERT_TRUE(tally.cv.wait_for(lock, 30s, [&] { return tally.first_events == kStreams; }))
        << tally.first_events << " of " << kStreams << " streams had their first event";
  }
  EXPECT_EQ(OpenStreams(metrics_port), kStreams);

  // The client gives up on every stream; the gateway must let them all go.
  for (auto& w : watchers) w->Cancel();
  ASSERT_TRUE(WaitAllDone(tally, watchers, 30s)) << "cancelled streams did not end";
  for (auto& w : watchers) {
    EXPECT_EQ(w->status().error_code(), grpc::StatusCode::CANCELLED) << Describe(w->status());
  }
  auto deadline = Clock::now() + 10s;
  int open = -1;
  while ((open = OpenStreams(metrics_port)) != 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(open, 0) << "the gateway still counts cancelled streams as open";

  // New streams on the same jobs still work, and end with the jobs.
  watchers.clear();
  {
    std::lock_guard<std::mutex> lock(tally.mu);
    tally.first_events = tally.done = 0;
  }
  for (int i = 0; i < 10; ++i) {
    watchers.push_back(
        std::make_unique<Watcher>(c.jobs(), submitted.results(i).response().job_id(), &tally, 60s));
  }
  c.StartWorker("w1", 2);
  ASSERT_TRUE(WaitAllDone(tally, watchers, 60s))
      << "streams did not end with their jobs" << c.LogTails();
  for (auto& w : watchers) {
    auto events = w->events();
    EXPECT_TRUE(w->status().ok()) << Describe(w->status());
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().state(), v1::COMPLETED) << Describe(events);
  }
}

}  // namespace
}  // namespace quire::testing
