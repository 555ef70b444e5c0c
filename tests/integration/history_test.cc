// The job history in PostgreSQL, against a real PostgreSQL, Redis, gateways
// and workers: migrations applied once however many processes start
// together; every job's record copied as it changes; GetJob and ListJobs
// answering from the history once Redis has let a job go; nothing lost
// while PostgreSQL is down; another gateway's writer taking over from a
// killed one.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "common/queue/redis_client.h"
#include "common/queue/redis_keys.h"
#include "common/store/history_store.h"
#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

int64_t Count(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  return tx.exec1(sql)[0].as<int64_t>();
}

// A template whose http source points at a closed port: its job fails
// (UNAVAILABLE) on its only attempt.
std::string FailingTemplate(int port) {
  return "id: broken\ntitle: Broken\nmax_attempts: 1\nsources:\n  web: {kind: http, url: "
         "\"http://127.0.0.1:" +
         std::to_string(port) + "/rows\"}\nsections:\n  - table: {source: web}\noutputs: [csv]\n";
}

TestCluster::Options HistoryOptions(const TestPostgres& pg, int dead_port) {
  TestCluster::Options o;
  o.gateway_sets = {"history.dsn=" + pg.dsn(), "history.interval_ms=50", "queue.retention_s=1"};
  o.worker_sets = {"queue.retention_s=1", "data.retry_attempts=1",
                   "http.allow_hosts=127.0.0.1:" + std::to_string(dead_port)};
  return o;
}

// Polls until GetMetrics shows an empty history backlog.
bool WaitForBacklogDrained(TestCluster& c, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  v1::Metrics m;
  while (Clock::now() < until) {
    if (c.GetMetrics(&m).ok() && m.history_backlog() == 0) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// Polls until none of `ids` has a record in Redis.
bool WaitForRedisToForget(TestCluster& c, const std::vector<std::string>& ids,
                          std::chrono::milliseconds timeout) {
  RedisPool pool(RedisOptions{"127.0.0.1", c.redis().port(), "", 5000ms}, 1);
  const auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    auto conn = pool.Borrow();
    if (conn.ok()) {
      for (const auto& id : ids) (*conn)->Append({"EXISTS", keys::Job(id)});
      auto r = (*conn)->Flush();
      int64_t left = 0;
      if (r.ok()) {
        for (const auto& e : *r) left += e.Integer();
        if (left == 0) return true;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(History, MigrationsApplyOnceWhenManyProcessesStartTogether) {
  TestPostgres pg;
  std::vector<std::thread> starters;
  std::vector<StatusOr<int>> versions(6, Status::Internal("not run"));
  for (size_t i = 0; i < versions.size(); ++i) {
    starters.emplace_back([&, i] { versions[i] = HistoryStore(pg.dsn(), 1).Migrate(); });
  }
  for (auto& t : starters) t.join();
  const int latest = HistoryMigrations().back().version;
  for (const auto& v : versions) {
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, latest);
  }
  EXPECT_EQ(Count(pg.dsn(), "SELECT count(*) FROM quire_schema_migrations"),
            static_cast<int64_t>(HistoryMigrations().size()));
  // Again: nothing to do, same version.
  auto again = HistoryStore(pg.dsn(), 1).Migrate();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, latest);
  EXPECT_EQ(Count(pg.dsn(), "SELECT count(*) FROM quire_jobs"), 0);
}

TEST(History, AStorePicksUpAfterAPostgresRestartAtTheFirstCall) {
  TestPostgres pg;
  HistoryStore store(pg.dsn(), 1);
  ASSERT_TRUE(store.Migrate().ok());  // leaves one idle pooled connection
  pg.Stop();
  pg.Start();
  // The pooled connection died with the server: the call is tried again
  // on a new one instead of failing.
  auto missing = store.Get("0000000000000fffffffffff");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
}

TEST(History, JobsOutliveTheirRedisRetention) {
  TestPostgres pg;
  const int dead_port = FreePort();
  TestCluster c(HistoryOptions(pg, dead_port));
  c.StartWorker("w1", 4);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  ASSERT_RPC_OK(c.PutTemplate(FailingTemplate(dead_port)));

  std::vector<std::string> ids = c.SubmitMany(SubmitRequest("tiny"), 20);
  const std::string failed = c.SubmitOk(SubmitRequest("broken"));
  v1::SubmitJobRequest later = SubmitRequest("tiny", v1::LOW);
  *later.mutable_run_at() = [] {
    google::protobuf::Timestamp t;
    t.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count() +
                  3600);
    return t;
  }();
  const std::string cancelled = c.SubmitOk(later);
  v1::CancelJobResponse cr;
  ASSERT_RPC_OK(c.Cancel(cancelled, &cr));

  // What Redis said about each job while it had it.
  std::map<std::string, v1::Job> live;
  for (const auto& id : ids) live[id] = c.WaitForTerminal(id, 30s);
  live[failed] = c.WaitForTerminal(failed, 30s);
  live[cancelled] = c.WaitForTerminal(cancelled, 30s);
  ASSERT_EQ(live[failed].state(), v1::FAILED) << Describe(live[failed]) << c.LogTails();
  ASSERT_EQ(live[cancelled].state(), v1::CANCELLED) << Describe(live[cancelled]);
  ids.push_back(failed);
  ids.push_back(cancelled);

  ASSERT_TRUE(WaitForBacklogDrained(c, 20s)) << c.LogTails();
  // Retention is 1 s from the copy: Redis forgets them.
  ASSERT_TRUE(WaitForRedisToForget(c, ids, 20s)) << "jobs still in Redis" << c.LogTails();

  // GetJob answers from the history, with what Redis had.
  for (const auto& id : ids) {
    v1::Job job;
    ASSERT_RPC_OK(c.GetJob(id, &job));
    const v1::Job& was = live[id];
    EXPECT_EQ(job.state(), was.state()) << id;
    EXPECT_EQ(job.template_id(), was.template_id());
    EXPECT_EQ(job.template_version(), was.template_version());
    EXPECT_EQ(job.priority(), was.priority());
    EXPECT_EQ(job.submitter(), "e2e-test");
    EXPECT_EQ(job.attempt(), was.attempt());
    EXPECT_EQ(job.worker_id(), was.worker_id());
    EXPECT_EQ(job.error_code(), was.error_code());
    EXPECT_EQ(job.error_message(), was.error_message());
    EXPECT_EQ(job.artifacts_size(), was.artifacts_size());
    EXPECT_EQ(job.stage_timings_size(), was.stage_timings_size());
    EXPECT_EQ(job.attempt_errors_size(), was.attempt_errors_size());
    EXPECT_EQ(Millis(job.finished_at()), Millis(was.finished_at()));
  }
  v1::Job f;
  ASSERT_RPC_OK(c.GetJob(failed, &f));
  EXPECT_EQ(f.error_code(), "UNAVAILABLE");
  ASSERT_EQ(f.attempt_errors_size(), 1);
  EXPECT_EQ(f.attempt_errors(0).worker_id(), "w1");
  v1::Job done;
  ASSERT_RPC_OK(c.GetJob(ids[0], &done));
  EXPECT_EQ(done.artifacts_size(), 1);
  EXPECT_GE(done.stage_timings_size(), 4);

  // ListJobs pages through the history: every job once, newest first.
  std::vector<std::string> listed;
  std::vector<std::pair<int64_t, std::string>> order;  // (created, id) as listed
  std::string token;
  do {
    v1::ListJobsRequest req;
    req.set_page_size(7);
    req.set_page_token(token);
    v1::ListJobsResponse resp;
    ASSERT_RPC_OK(c.jobs().ListJobs(Deadline().get(), req, &resp));
    for (const auto& j : resp.jobs()) {
      listed.push_back(j.job_id());
      order.emplace_back(Millis(j.created_at()), j.job_id());
    }
    token = resp.next_page_token();
  } while (!token.empty() && listed.size() < 100);
  EXPECT_EQ(listed.size(), ids.size());
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()),
            std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_TRUE(std::is_sorted(order.rbegin(), order.rend())) << "not newest first";
  v1::ListJobsRequest only_failed;
  only_failed.set_state(v1::FAILED);
  v1::ListJobsResponse failed_list;
  ASSERT_RPC_OK(c.jobs().ListJobs(Deadline().get(), only_failed, &failed_list));
  ASSERT_EQ(failed_list.jobs_size(), 1);
  EXPECT_EQ(failed_list.jobs(0).job_id(), failed);

  // In SQL: one row per job, one recorded completion per completed job.
  EXPECT_EQ(Count(pg.dsn(), "SELECT count(*) FROM quire_jobs"), 22);
  EXPECT_EQ(Count(pg.dsn(), "SELECT count(*) FROM quire_jobs WHERE state = 'COMPLETED'"), 20);
  EXPECT_EQ(Count(pg.dsn(), "SELECT count(*) FROM quire_job_events WHERE state = 'COMPLETED'"), 20);
  EXPECT_EQ(Count(pg.dsn(),
                  "SELECT count(*) FROM quire_jobs WHERE state = 'COMPLETED' AND "
                  "(stage_ms ? 'RENDERING_REPORT') AND worker = 'w1' AND finished_at IS NOT NULL"),
            20);

  // An id nobody ever submitted is still NOT_FOUND.
  v1::Job none;
  EXPECT_EQ(c.GetJob("0000000000000fffffffffff", &none).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(History, NothingIsLostWhilePostgresIsDown) {
  TestPostgres pg;
  const int dead_port = FreePort();
  TestCluster c(HistoryOptions(pg, dead_port));
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  // Let the writer migrate and copy the template's first jobs.
  const std::string first = c.SubmitOk(SubmitRequest("tiny"));
  c.StartWorker("w1", 4);
  ASSERT_EQ(c.WaitForTerminal(first, 30s).state(), v1::COMPLETED);
  ASSERT_TRUE(WaitForBacklogDrained(c, 20s)) << c.LogTails();

  pg.Stop();
  const std::vector<std::string> ids = c.SubmitMany(SubmitRequest("tiny"), 50);
  for (const auto& id : ids) ASSERT_EQ(c.WaitForTerminal(id, 30s).state(), v1::COMPLETED);
  // Past the 1 s retention: they wait in Redis, without expiry, counted
  // in the backlog.
  std::this_thread::sleep_for(1500ms);
  v1::Metrics m;
  ASSERT_RPC_OK(c.GetMetrics(&m));
  EXPECT_EQ(m.history_backlog(), 50);
  {
    RedisPool pool(RedisOptions{"127.0.0.1", c.redis().port(), "", 5000ms}, 1);
    auto conn = pool.Borrow();
    ASSERT_TRUE(conn.ok());
    for (const auto& id : ids) {
      auto ttl = (*conn)->Command({"TTL", keys::Job(id)});
      ASSERT_TRUE(ttl.ok());
      EXPECT_EQ(ttl->Integer(), -1) << id << " would expire before it is in the history";
    }
  }
  // A job that only the history could know about: the history is down.
  v1::Job unknown;
  EXPECT_EQ(c.GetJob("0000000000000fffffffffff", &unknown).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  pg.Start();
  ASSERT_TRUE(WaitForBacklogDrained(c, 30s)) << c.LogTails();
  ASSERT_TRUE(WaitForRedisToForget(c, ids, 20s)) << c.LogTails();
  EXPECT_EQ(Count(pg.dsn(), "SELECT count(*) FROM quire_jobs WHERE state = 'COMPLETED'"), 51);
  for (const auto& id : ids) {
    v1::Job job;
    ASSERT_RPC_OK(c.GetJob(id, &job));
    EXPECT_EQ(job.state(), v1::COMPLETED);
    EXPECT_EQ(job.artifacts_size(), 1);
  }
}

TEST(History, AnotherGatewayTakesOverFromAKilledWriter) {
  TestPostgres pg;
  const int dead_port = FreePort();
  TestCluster::Options o = HistoryOptions(pg, dead_port);
  o.gateways = 2;
  TestCluster c(o);
  c.StartWorker("w1", 4);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  const std::vector<std::string> before = c.SubmitMany(SubmitRequest("tiny"), 10, 1);
  for (const auto& id : before) ASSERT_EQ(c.WaitForTerminal(id, 30s).state(), v1::COMPLETED);
  ASSERT_TRUE(WaitForBacklogDrained(c, 20s));

  // Gateway 0 started first, so its writer holds the lock; it dies with it.
  c.gateway(0).Kill();
  const std::vector<std::string> after = c.SubmitMany(SubmitRequest("tiny"), 10, 1);
  for (const auto& id : after) {
    v1::Job job;
    const auto until = Clock::now() + 30s;
    while (Clock::now() < until && !(c.GetJob(id, &job, 1).ok() && job.state() == v1::COMPLETED)) {
      std::this_thread::sleep_for(50ms);
    }
    ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  }
  // Within the lock's TTL (10 s) the survivor copies everything.
  const auto until = Clock::now() + 30s;
  while (Clock::now() < until &&
         Count(pg.dsn(), "SELECT count(*) FROM quire_jobs WHERE state = 'COMPLETED'") < 20) {
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(Count(pg.dsn(), "SELECT count(*) FROM quire_jobs WHERE state = 'COMPLETED'"), 20)
      << c.LogTails();
}

}  // namespace
}  // namespace quire::testing
