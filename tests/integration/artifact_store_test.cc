// Artifact storage against real servers: the PostgreSQL store (no shared
// disk between worker and gateway), chunked reads across its slices,
// runs discarded and replaced, and the retention on both stores.
#include "common/store/artifact_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "common/store/artifact_database.h"
#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

namespace fs = std::filesystem;

// Regular files under `dir`, recursively.
size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::end(it); it.increment(ec)) {
    if (it->is_regular_file()) ++n;
  }
  return n;
}

// Stages `files` (name -> bytes) for run `token` of `job` and commits them.
std::vector<ArtifactInfo> CommitRun(ArtifactStore& store, const std::string& job, int64_t token,
                                    const std::map<std::string, std::string>& files) {
  auto dir = store.StagingDir(job, token);
  EXPECT_TRUE(dir.ok());
  for (const auto& [name, bytes] : files)
    std::ofstream(*dir + "/" + name, std::ios::binary) << bytes;
  auto committed = store.Commit(job, token);
  EXPECT_TRUE(committed.ok()) << committed.status().ToString();
  return committed.ok() ? *committed : std::vector<ArtifactInfo>{};
}

std::string ReadAll(const ArtifactStore& store, const ArtifactInfo& a, Status* status) {
  std::string out;
  *status = store.Read(a, 65536, [&](const char* data, size_t n, int64_t offset, int64_t) {
    EXPECT_EQ(offset, static_cast<int64_t>(out.size()));
    out.append(data, n);
    return true;
  });
  return out;
}

TEST(ArtifactDatabase, StoresReadsInChunksAndDeletesRuns) {
  TestPostgres pg;
  TempDir dir;
  ArtifactDatabase db(pg.dsn(), 2);
  ASSERT_TRUE(db.Migrate().ok());
  ArtifactStore store(dir.path(), &db);

  // 3.5 MiB of random bytes: several 1 MiB slices, a partial last one.
  std::string big(3 * (1 << 20) + 512 * 1024 + 7, '\0');
  std::mt19937 rng(7);
  for (char& ch : big) ch = static_cast<char>(rng());
  auto first = CommitRun(store, "job1", 1, {{"report.pdf", big}, {"data.csv", "a,b\n1,2\n"}});
  ASSERT_EQ(first.size(), 2u);
  const ArtifactInfo& pdf = first[1];
  EXPECT_EQ(pdf.name, "report.pdf");
  EXPECT_TRUE(ArtifactDatabase::IsLocation(pdf.location)) << pdf.location;
  EXPECT_EQ(pdf.size_bytes, static_cast<int64_t>(big.size()));
  EXPECT_EQ(CountFiles(dir.path()), 0u) << "the staged files should be gone";

  Status st;
  EXPECT_EQ(ReadAll(store, pdf, &st), big);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Sha256Hex(big), pdf.sha256);
  // A location not of the form pg:<job>/<token>/<name> is refused, not
  // read as the nearest thing it resembles.
  for (const char* bad : {"pg:job1/1x/report.pdf", "pg:job1/x/report.pdf", "pg:job1/1",
                          "pg:/1/report.pdf", "pg:job1//report.pdf"}) {
    ArtifactInfo broken = pdf;
    broken.location = bad;
    ReadAll(store, broken, &st);
    EXPECT_EQ(st.code(), StatusCode::kInternal) << bad << ": " << st.ToString();
  }

  // A second run of the job completes: the first run's rows go.
  auto second = CommitRun(store, "job1", 2, {{"report.pdf", "second"}});
  store.RemoveOtherRuns("job1", 2);
  ReadAll(store, pdf, &st);
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
  EXPECT_EQ(ReadAll(store, second[0], &st), "second");
  // A discarded run leaves nothing.
  store.Discard("job1", 2);
  ReadAll(store, second[0], &st);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);

  // Retention: everything stored before now is past a 0 s retention.
  auto third = CommitRun(store, "job2", 5, {{"report.pdf", "third"}});
  std::this_thread::sleep_for(20ms);
  auto removed = store.RemoveExpired(std::chrono::seconds(0));
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 1);
  ReadAll(store, third[0], &st);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("retention"), std::string::npos) << st.message();

  // PostgreSQL down: committing fails UNAVAILABLE (a retryable attempt).
  pg.Stop();
  auto dir4 = store.StagingDir("job3", 1);
  ASSERT_TRUE(dir4.ok());
  std::ofstream(*dir4 + "/report.pdf") << "x";
  auto failed = store.Commit("job3", 1);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
}

TEST(ArtifactDatabase, AStoreWithoutTheDatabaseSaysWhereTheArtifactIs) {
  TempDir dir;
  ArtifactStore fs_store(dir.path());
  ArtifactInfo a;
  a.name = "report.pdf";
  a.location = ArtifactDatabase::Location("job", 1, "report.pdf");
  auto reader = fs_store.Open(a);
  EXPECT_EQ(reader.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reader.status().message().find("artifacts.store"), std::string::npos);
}

TEST(Artifacts, WorkerAndGatewayShareNoDiskWithThePostgresStore) {
  TestPostgres pg;
  TempDir worker_disk;
  TestCluster::Options o;
  o.gateway_sets = {"history.dsn=" + pg.dsn(), "artifacts.store=postgres"};
  o.worker_sets = {"history.dsn=" + pg.dsn(), "artifacts.store=postgres",
                   "artifacts.dir=" + worker_disk.path()};
  TestCluster c(o);
  c.StartWorker("w1", 2);
  ASSERT_RPC_OK(c.PutTemplate(DemoTemplate()));
  v1::SubmitJobRequest req = SubmitRequest("demo");
  const std::string id = c.SubmitOk(req);
  const v1::Job job = c.WaitForTerminal(id, 60s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job) << c.LogTails();
  ASSERT_GE(job.artifacts_size(), 2);
  for (const auto& a : job.artifacts()) {
    std::string data;
    ASSERT_RPC_OK(c.GetArtifact(id, a.name(), &data));
    EXPECT_EQ(static_cast<int64_t>(data.size()), a.size_bytes()) << a.name();
    EXPECT_EQ(Sha256Hex(data), a.sha256()) << a.name();
  }
  std::string pdf;
  ASSERT_RPC_OK(c.GetArtifact(id, "report.pdf", &pdf));
  EXPECT_EQ(pdf.rfind("%PDF", 0), 0u);
  // Nothing on either disk: the worker's staging was emptied, and the
  // gateway's directory never saw the files.
  EXPECT_EQ(CountFiles(worker_disk.path()), 0u);
  EXPECT_EQ(CountFiles(c.artifacts_dir()), 0u);
}

TEST(Artifacts, ArtifactsPastTheirRetentionAreRemovedAndSaySo) {
  TestCluster::Options o;
  o.worker_sets = {"artifacts.retention_s=2", "artifacts.cleanup_interval_s=1"};
  TestCluster c(o);
  c.StartWorker("w1", 2);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  const std::string id = c.SubmitOk(SubmitRequest("tiny"));
  ASSERT_EQ(c.WaitForTerminal(id, 30s).state(), v1::COMPLETED);
  std::string data;
  ASSERT_RPC_OK(c.GetArtifact(id, "report.pdf", &data));
  EXPECT_EQ(data.rfind("%PDF", 0), 0u);

  const auto until = Clock::now() + 15s;
  while (Clock::now() < until && fs::exists(c.artifacts_dir() + "/" + id)) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_FALSE(fs::exists(c.artifacts_dir() + "/" + id)) << c.LogTails();
  const grpc::Status gone = c.GetArtifact(id, "report.pdf", &data);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(gone.error_message().find("retention"), std::string::npos) << gone.error_message();
  // The job's record stays.
  v1::Job job;
  ASSERT_RPC_OK(c.GetJob(id, &job));
  EXPECT_EQ(job.state(), v1::COMPLETED);
  EXPECT_EQ(job.artifacts_size(), 1);
}

}  // namespace
}  // namespace quire::testing
