// Redis stays bounded: 50,000 jobs submitted, leased and completed through
// the real queue scripts with a short retention; once they have expired
// and the ListJobs index is trimmed, Redis holds as many keys and about as
// much memory as before the run. Also prints the memory a queued job takes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "common/queue/job_queue.h"
#include "common/queue/redis_client.h"
#include "tests/support/test_servers.h"

namespace quire {
namespace {

using namespace std::chrono_literals;

int64_t Info(RedisConnection& c, const std::string& field) {
  auto r = c.Command({"INFO", "memory"});
  if (!r.ok()) return -1;
  const std::string text = r->String();
  const size_t at = text.find(field + ":");
  return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + field.size() + 1);
}

int64_t Keys(RedisConnection& c) {
  auto r = c.Command({"DBSIZE"});
  return r.ok() ? r->Integer() : -1;
}

JobSpec SoakSpec() {
  JobSpec spec;
  spec.template_id = "soak";
  spec.params = {{"region", "EMEA"}, {"quarter", "Q3"}};
  spec.outputs = {"pdf"};
  spec.submitter = "soak";
  return spec;
}

// Submits and finishes `n` jobs in batches of 1,000.
void RunJobs(JobQueue& queue, int n) {
  for (int done = 0; done < n; done += 1000) {
    auto submitted = queue.SubmitBatch(std::vector<JobSpec>(1000, SoakSpec()));
    ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
    int left = 1000;
    while (left > 0) {
      auto leased = queue.Lease("soak-worker", 250);
      ASSERT_TRUE(leased.ok()) << leased.status().ToString();
      ASSERT_FALSE(leased->empty());
      std::vector<const LeasedJob*> jobs;
      for (const LeasedJob& j : *leased) jobs.push_back(&j);
      auto finished = queue.CompleteBatch(jobs);
      ASSERT_TRUE(finished.ok()) << finished.status().ToString();
      left -= static_cast<int>(leased->size());
    }
  }
}

TEST(Soak, RedisMemoryIsFlatAfterFiftyThousandJobs) {
  testing::TestRedis redis;
  RedisPool pool(RedisOptions{"127.0.0.1", redis.port(), "", 5000ms});
  QueueOptions options;
  options.retention = 1s;
  JobQueue queue(&pool, options);
  auto conn = pool.Borrow();
  ASSERT_TRUE(conn.ok());
  RedisConnection& c = **conn;

  // Warm up: scripts loaded, the fixed keys (stats, counters) exist.
  RunJobs(queue, 1000);
  std::this_thread::sleep_for(1500ms);
  for (auto t = queue.TrimIndex(); t.ok() && *t > 0; t = queue.TrimIndex()) {
  }
  // Expire what is due before measuring (a read of a key expires it).
  ASSERT_TRUE(c.Command({"SCAN", "0", "COUNT", "100000"}).ok());
  const int64_t base_keys = Keys(c);
  const int64_t base_memory = Info(c, "used_memory");

  // The memory of queued jobs, per job.
  auto queued = queue.SubmitBatch(std::vector<JobSpec>(10000, SoakSpec()));
  ASSERT_TRUE(queued.ok());
  const int64_t per_job = (Info(c, "used_memory") - base_memory) / 10000;
  int left = 10000;
  while (left > 0) {
    auto leased = queue.Lease("soak-worker", 250);
    ASSERT_TRUE(leased.ok() && !leased->empty());
    std::vector<const LeasedJob*> jobs;
    for (const LeasedJob& j : *leased) jobs.push_back(&j);
    ASSERT_TRUE(queue.CompleteBatch(jobs).ok());
    left -= static_cast<int>(leased->size());
  }

  RunJobs(queue, 40000);
  const int64_t peak_keys = Keys(c);

  // Wait for the finished jobs to expire (bounded), trimming the index.
  const auto until = std::chrono::steady_clock::now() + 90s;
  int64_t keys = peak_keys;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(500ms);
    for (auto t = queue.TrimIndex(10000); t.ok() && *t > 0; t = queue.TrimIndex(10000)) {
    }
    keys = Keys(c);
    if (keys <= base_keys) break;
  }
  const int64_t memory = Info(c, "used_memory");
  std::printf(
      "soak: %lld bytes per queued job; keys %lld before, %lld at the peak, %lld after; "
      "used_memory %lld before, %lld after 50,000 jobs\n",
      static_cast<long long>(per_job), static_cast<long long>(base_keys),
      static_cast<long long>(peak_keys), static_cast<long long>(keys),
      static_cast<long long>(base_memory), static_cast<long long>(memory));
  EXPECT_GT(peak_keys, base_keys + 1000) << "the jobs never lived in Redis";
  EXPECT_LE(keys, base_keys) << "finished jobs' keys did not expire";
  EXPECT_LT(memory, base_memory + (1 << 20)) << "Redis memory grew by more than 1 MiB";
  EXPECT_GT(per_job, 0);
  EXPECT_LT(per_job, 4096) << "a queued job takes more memory than expected";
}

}  // namespace
}  // namespace quire
