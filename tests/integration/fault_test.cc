// Fault injection at scale: 2,000 jobs while workers are SIGKILLed at
// random and restarted, over and over. Every job must complete exactly
// once — one completion counted in Redis, one completion recorded in the
// PostgreSQL job history, one set of artifacts on disk — and none may be
// lost. Bounded: at most 40 kills, at most three minutes.
#include <gtest/gtest.h>

#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <set>

#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

TEST(Faults, TwoThousandJobsCompleteExactlyOnceWhileWorkersAreKilledAtRandom) {
  constexpr int kJobs = 2000;
  constexpr int kMaxKills = 40;
  TestPostgres pg;
  TestCluster::Options options;
  options.worker_sets = {"queue.lease_ms=1500", "worker.lease_extend_ms=300"};
  options.gateway_sets = {"history.dsn=" + pg.dsn(), "history.interval_ms=50"};
  TestCluster c(options);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  const std::vector<std::string> ids = c.SubmitMany(SubmitRequest("tiny"), kJobs);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kJobs));
  const std::vector<std::string> names = {"A", "B", "C"};
  for (const auto& n : names) c.StartWorker(n, 4);

  std::mt19937 rng(20261122);
  int kills = 0;
  v1::Metrics m;
  const auto until = Clock::now() + 180s;
  while (Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 300));
    if (c.GetMetrics(&m).ok() && m.completed_total() + m.failed_total() >= kJobs) break;
    if (kills < kMaxKills) {
      const std::string& victim = names[rng() % names.size()];
      c.worker(victim).Kill();
      ++kills;
      c.StartWorker(victim, 4);
    }
  }
  ASSERT_GE(kills, 5) << "the run ended before enough faults were injected";

  int completed = 0;
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    const v1::Job job = c.WaitForTerminal(id, 60s);
    EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
    if (job.state() == v1::COMPLETED) ++completed;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate id " << id;
    // One set of artifacts: the run that completed.
    size_t runs = 0;
    for (const auto& e : std::filesystem::directory_iterator(c.artifacts_dir() + "/" + id)) {
      (void)e;
      ++runs;
    }
    EXPECT_EQ(runs, 1u) << "artifact sets of job " << id;
  }
  ASSERT_RPC_OK(c.GetMetrics(&m));
  EXPECT_EQ(completed, kJobs) << "jobs lost";
  EXPECT_EQ(m.completed_total(), kJobs) << "a completion was counted twice";
  EXPECT_EQ(m.failed_total(), 0);
  EXPECT_GE(m.reclaimed_total(), 1) << "no job was running when its worker died";
  // Killed workers left staging directories behind; a worker sweeps those
  // whose lease is gone when it starts (and every minute). Plus one for a
  // job Redis does not know.
  const std::string staging = c.artifacts_dir() + "/.staging";
  const size_t left_behind = FilesUnder(staging).size();
  std::filesystem::create_directories(staging + "/0123456789abcdef-7");
  std::ofstream(staging + "/0123456789abcdef-7/report.pdf") << "partial";
  c.StartWorker("sweeper", 1);
  const auto sweep_until = Clock::now() + 20s;
  while (!FilesUnder(staging).empty() && Clock::now() < sweep_until) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(FilesUnder(staging).empty()) << "staging files were not swept";
  std::printf("faults: %zu staging files left by killed workers, swept\n", left_behind);

  // The history in PostgreSQL: every job's row COMPLETED, and exactly one
  // recorded completion per job.
  const auto drain_until = Clock::now() + 30s;
  while (Clock::now() < drain_until && !(c.GetMetrics(&m).ok() && m.history_backlog() == 0)) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(m.history_backlog(), 0) << c.LogTails();
  pqxx::connection conn(pg.dsn());
  pqxx::nontransaction tx(conn);
  const auto count = [&](const char* sql) { return tx.exec1(sql)[0].as<int64_t>(); };
  const int64_t rows = count("SELECT count(*) FROM quire_jobs WHERE state = 'COMPLETED'");
  const int64_t completions =
      count("SELECT count(*) FROM quire_job_events WHERE state = 'COMPLETED'");
  EXPECT_EQ(rows, kJobs);
  EXPECT_EQ(completions, kJobs) << "a completion recorded twice (or not at all)";
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT job_id FROM quire_job_events WHERE state = "
                  "'COMPLETED' GROUP BY job_id HAVING count(*) > 1) d"),
            0);
  const int64_t aborted = count(
      "SELECT count(*) FROM quire_jobs, jsonb_array_elements(attempts) a "
      "WHERE a->>'code' = 'ABORTED'");
  std::printf("faults: %d kills, %lld leases reclaimed, %d jobs completed once, 0 lost\n", kills,
              static_cast<long long>(m.reclaimed_total()), completed);
  std::printf(
      "faults: history in PostgreSQL: %lld rows COMPLETED, %lld completions recorded, "
      "%lld attempts lost to kills on record\n",
      static_cast<long long>(rows), static_cast<long long>(completions),
      static_cast<long long>(aborted));
}

}  // namespace
}  // namespace quire::testing
