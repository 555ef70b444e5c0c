// The gateway's threads against real processes: a Redis or PostgreSQL call
// that does not return holds a store thread (gateway.store_threads), never
// one of gRPC's callback threads. PostgreSQL reads are stalled for real, by
// a transaction holding an exclusive lock on the artifacts table: artifact
// downloads then wait on the store threads, new calls beyond
// gateway.store_queue are refused at once, calls that need no store are
// answered, a download the client cancels mid-read is let go, and the
// gateway still shuts down cleanly, finishing every call once.
//
// Not covered here: the bytes and statuses of downloads in general
// (artifact_store_test.cc), and speed (bench/gateway_latency_bench.cc).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <future>
#include <pqxx/pqxx>

#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

// One GetArtifact stream read to its end on a thread of its own.
class Download {
 public:
  Download(v1::JobService::Stub& stub, const std::string& job_id, const std::string& name) {
    ctx_.set_deadline(std::chrono::system_clock::now() + 60s);
    thread_ = std::thread([this, &stub, job_id, name] {
      v1::GetArtifactRequest req;
      req.set_job_id(job_id);
      req.set_name(name);
      auto reader = stub.GetArtifact(&ctx_, req);
      v1::ArtifactChunk chunk;
      while (reader->Read(&chunk)) data_ += chunk.data();
      status_ = reader->Finish();
      done_ = true;
    });
  }
  ~Download() {
    ctx_.TryCancel();
    thread_.join();
  }

  void Cancel() { ctx_.TryCancel(); }
  bool done() const { return done_.load(); }
  // Once done().
  const grpc::Status& status() const { return status_; }
  const std::string& data() const { return data_; }

 private:
  grpc::ClientContext ctx_;
  std::string data_;
  grpc::Status status_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Waits until `n` of `downloads` ended; false after `timeout`.
bool WaitForEnded(const std::vector<std::unique_ptr<Download>>& downloads, size_t n,
                  std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    size_t ended = 0;
    for (const auto& d : downloads) ended += d->done() ? 1 : 0;
    if (ended >= n) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

// A transaction that holds ACCESS EXCLUSIVE on quire_artifacts: every read
// of an artifact waits until Release().
class ArtifactTableLock {
 public:
  explicit ArtifactTableLock(const std::string& dsn) : conn_(dsn), tx_(conn_) {
    tx_.exec("LOCK TABLE quire_artifacts IN ACCESS EXCLUSIVE MODE");
  }
  void Release() { tx_.abort(); }

 private:
  pqxx::connection conn_;
  pqxx::work tx_;
};

// A gateway that keeps artifacts in `pg`, with `store_threads` threads for
// Redis and PostgreSQL and room for `store_queue` calls waiting; one job of
// TinyTemplate completed. Returns its id; the artifact is report.pdf.
std::string StartWithCompletedJob(TestCluster& c) {
  c.StartWorker("w1", 1);
  EXPECT_TRUE(c.PutTemplate(TinyTemplate()).ok());
  const std::string id = c.SubmitOk(SubmitRequest("tiny"));
  const v1::Job job = c.WaitForTerminal(id, 60s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job) << c.LogTails();
  return id;
}

TestCluster::Options PostgresArtifacts(const TestPostgres& pg, int store_threads, int store_queue) {
  TestCluster::Options o;
  o.gateway_sets = {"history.dsn=" + pg.dsn(), "artifacts.store=postgres",
                    "gateway.store_threads=" + std::to_string(store_threads),
                    "gateway.store_queue=" + std::to_string(store_queue)};
  o.worker_sets = {"history.dsn=" + pg.dsn(), "artifacts.store=postgres"};
  return o;
}

TEST(GatewayThreads, StalledPostgresReadsHoldStoreThreadsOnlyAndEndCleanly) {
  TestPostgres pg;
  TestCluster c(PostgresArtifacts(pg, /*store_threads=*/2, /*store_queue=*/2));
  const std::string id = StartWithCompletedJob(c);
  ASSERT_FALSE(id.empty());
  std::string expected;
  ASSERT_RPC_OK(c.GetArtifact(id, "report.pdf", &expected));
  ASSERT_EQ(expected.rfind("%PDF", 0), 0u);

  auto lock = std::make_unique<ArtifactTableLock>(pg.dsn());
  // Twelve downloads: two wait in PostgreSQL on the store threads, two wait
  // for a thread, and eight find the queue full: RESOURCE_EXHAUSTED at once.
  // Were the reads on gRPC's callback threads, all twelve would hang there.
  constexpr size_t kDownloads = 12, kAdmitted = 4;
  std::vector<std::unique_ptr<Download>> downloads;
  for (size_t i = 0; i < kDownloads; ++i) {
    downloads.push_back(std::make_unique<Download>(c.jobs(), id, "report.pdf"));
  }
  const bool refused = WaitForEnded(downloads, kDownloads - kAdmitted, 20s);

  // A call that needs no store is answered: gRPC's threads are free.
  v1::ValidateTemplateRequest validate;
  validate.set_yaml(TinyTemplate());
  v1::ValidateTemplateResponse validated;
  ASSERT_RPC_OK(c.templates().ValidateTemplate(Deadline(5s).get(), validate, &validated));
  EXPECT_TRUE(validated.valid());

  ASSERT_TRUE(refused)
      << "downloads beyond gateway.store_threads + gateway.store_queue were not refused"
      << c.LogTails();
  std::this_thread::sleep_for(200ms);  // any more that would end, ends
  std::vector<Download*> admitted;
  for (auto& d : downloads) {
    if (!d->done()) {
      admitted.push_back(d.get());
      continue;
    }
    EXPECT_EQ(d->status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << Describe(d->status());
    EXPECT_NE(d->status().error_message().find("gateway.store_queue"), std::string::npos)
        << d->status().error_message();
  }
  ASSERT_EQ(admitted.size(), kAdmitted);

  // A call that needs Redis finds the store queue full, and is told so at once.
  v1::GetJobRequest get;
  get.set_job_id(id);
  v1::Job job;
  const grpc::Status busy = c.jobs().GetJob(Deadline(5s).get(), get, &job);
  EXPECT_EQ(busy.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << Describe(busy);

  // The client gives up on one download whose read is in flight; then
  // PostgreSQL answers again.
  admitted[0]->Cancel();
  lock->Release();
  ASSERT_TRUE(WaitForEnded(downloads, kDownloads, 30s)) << "downloads did not end" << c.LogTails();
  EXPECT_EQ(admitted[0]->status().error_code(), grpc::StatusCode::CANCELLED)
      << Describe(admitted[0]->status());
  for (size_t i = 1; i < admitted.size(); ++i) {
    ASSERT_RPC_OK(admitted[i]->status());
    EXPECT_EQ(admitted[i]->data(), expected) << "download " << i << " differs";
  }
  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_EQ(job.state(), v1::COMPLETED);
  std::string again;
  ASSERT_RPC_OK(c.GetArtifact(id, "report.pdf", &again));
  EXPECT_EQ(again, expected);

  // Every call was finished: Server::Shutdown waits for each, so one left
  // unfinished would hold the gateway until it is killed.
  c.gateway().Stop(10s);
  EXPECT_EQ(c.gateway().exit_code(), 0) << c.LogTails();
}

TEST(GatewayThreads, ShutdownWithCallsWaitingOnAStalledStoreFinishesEachOnce) {
  TestPostgres pg;
  TestCluster c(PostgresArtifacts(pg, /*store_threads=*/1, /*store_queue=*/8));
  const std::string id = StartWithCompletedJob(c);
  ASSERT_FALSE(id.empty());

  auto lock = std::make_unique<ArtifactTableLock>(pg.dsn());
  // The one store thread waits in PostgreSQL; GetJob calls wait behind it.
  std::vector<std::unique_ptr<Download>> downloads;
  downloads.push_back(std::make_unique<Download>(c.jobs(), id, "report.pdf"));
  std::this_thread::sleep_for(300ms);
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      v1::Job job;
      return c.GetJob(id, &job);
    }));
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(downloads[0]->done()) << Describe(downloads[0]->status());

  // SIGTERM mid-call; PostgreSQL answers a second later, well within the
  // gateway's 5 s shutdown grace.
  ASSERT_EQ(kill(c.gateway().pid(), SIGTERM), 0);
  std::this_thread::sleep_for(1s);
  lock->Release();
  c.gateway().Stop(15s);
  EXPECT_EQ(c.gateway().exit_code(), 0) << "the gateway did not drain its calls" << c.LogTails();

  // Each call ended with a status before its deadline: none was left
  // unfinished (it would end DEADLINE_EXCEEDED) or cut off.
  ASSERT_TRUE(WaitForEnded(downloads, 1, 10s));
  const grpc::Status d = downloads[0]->status();
  EXPECT_TRUE(d.ok() || d.error_code() == grpc::StatusCode::UNAVAILABLE ||
              d.error_code() == grpc::StatusCode::CANCELLED)
      << Describe(d);
  for (auto& f : calls) {
    const grpc::Status s = f.get();
    EXPECT_NE(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << Describe(s);
    EXPECT_NE(s.error_code(), grpc::StatusCode::UNKNOWN) << Describe(s);
  }
}

// Sizes of the store pool out of range (none, oversize, not a number) stop
// the gateway at start with exit code 2 and a message naming the option,
// before it listens or spawns a thread.
TEST(GatewayThreads, StorePoolSizesOutOfRangeAreRefusedAtStart) {
  TempDir dir;
  for (const std::string& set :
       {std::string("gateway.store_threads=0"), std::string("gateway.store_threads=100000000000"),
        std::string("gateway.store_queue=-1"), std::string("gateway.store_queue=99999999999")}) {
    SCOPED_TRACE(set);
    CommandResult r = RunCommand({GatewayBinary(), "--listen", "127.0.0.1:1", "--set", set}, {},
                                 dir.path() + "/gateway.log", 30s);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(set.substr(0, set.find('='))), std::string::npos) << r.output;
  }
  CommandResult text = RunCommand(
      {GatewayBinary(), "--listen", "127.0.0.1:1", "--set", "gateway.store_threads=lots"}, {},
      dir.path() + "/gateway.log", 30s);
  EXPECT_EQ(text.exit_code, 2) << text.output;
  EXPECT_NE(text.output.find("gateway.store_threads"), std::string::npos) << text.output;
}

}  // namespace
}  // namespace quire::testing
