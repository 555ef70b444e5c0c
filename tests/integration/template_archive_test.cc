// Templates kept in PostgreSQL with Redis as their cache, against a real
// PostgreSQL and Redis (and gateways and workers for the end-to-end cases):
// PostgreSQL numbers the versions, also for two gateways putting at once;
// every version stays readable; reads after Redis lost its data refill it;
// a deleted template keeps its rows and stays gone; templates stored before
// the archive are copied into it; without PostgreSQL nothing is stored.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <numeric>
#include <pqxx/pqxx>
#include <thread>

#include "common/queue/redis_client.h"
#include "common/queue/redis_keys.h"
#include "common/store/archived_templates.h"
#include "common/store/history_store.h"
#include "common/store/stored_templates.h"
#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

// The first column of every row `sql` returns, as text ("" for NULL).
std::vector<std::string> Column(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(sql)) out.push_back(row[0].is_null() ? "" : row[0].c_str());
  return out;
}

RedisOptions RedisAt(int port) { return RedisOptions{"127.0.0.1", port, "", 5000ms}; }

// Whether Redis holds template `id` at `version`.
bool InRedis(int redis_port, const std::string& id, int64_t version) {
  RedisPool pool(RedisAt(redis_port), 1);
  auto conn = pool.Borrow();
  if (!conn.ok()) return false;
  auto r = (*conn)->Command({"HEXISTS", keys::Template(id), "v:" + std::to_string(version)});
  return r.ok() && r->Integer() == 1;
}

// Tells the versions of one template apart.
std::string Yaml(int n) { return TinyTemplate("tiny") + "# edit " + std::to_string(n) + "\n"; }

// A migrated PostgreSQL, a Redis, and a TemplateStore over both: what one
// gateway has.
class TemplateArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto version = HistoryStore(pg_.dsn(), 1).Migrate();
    ASSERT_TRUE(version.ok()) << version.status().ToString();
  }

  TestPostgres pg_;
  TestRedis redis_;
  RedisPool pool_{RedisAt(redis_.port()), 4};
  TemplateArchive archive_{pg_.dsn(), 2};
  TemplateStore store_{&pool_, &archive_};
};

TEST_F(TemplateArchiveTest, PostgresNumbersTheVersionsAndKeepsEveryOne) {
  for (int n = 1; n <= 3; ++n) {
    auto v = store_.Put("tiny", "Tiny", Yaml(n));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, n);
  }
  EXPECT_EQ(Column(pg_.dsn(),
                   "SELECT string_agg(version::text, ',' ORDER BY version) FROM quire_templates"
                   " WHERE template_id = 'tiny' AND deleted_at IS NULL"),
            std::vector<std::string>{"1,2,3"});
  EXPECT_EQ(Column(pg_.dsn(), "SELECT yaml FROM quire_templates WHERE version = 2"),
            std::vector<std::string>{Yaml(2)});
  for (int n = 1; n <= 3; ++n) {
    auto t = store_.Get("tiny", n);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->yaml, Yaml(n));
    EXPECT_EQ(t->title, "Tiny");
    EXPECT_EQ(t->latest_version, 3);
    EXPECT_EQ(t->versions, (std::vector<int64_t>{1, 2, 3}));
    EXPECT_GT(t->created_ms, 0);
  }
  auto latest = store_.Get("tiny", 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 3);
  EXPECT_EQ(store_.Get("tiny", 4).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.Get("other", 0).status().code(), StatusCode::kNotFound);
}

TEST_F(TemplateArchiveTest, ConcurrentPutsFromTwoGatewaysNeverShareAVersion) {
  // A second gateway: its own Redis connections and PostgreSQL pool.
  RedisPool pool2(RedisAt(redis_.port()), 4);
  TemplateArchive archive2(pg_.dsn(), 2);
  TemplateStore store2(&pool2, &archive2);
  constexpr int kThreadsPerGateway = 3;
  constexpr int kPutsPerThread = 10;
  std::mutex mu;
  std::vector<int64_t> got;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (TemplateStore* store : {&store_, &store2}) {
    for (int t = 0; t < kThreadsPerGateway; ++t) {
      threads.emplace_back([&, store, t] {
        for (int i = 0; i < kPutsPerThread; ++i) {
          auto v = store->Put("tiny", "Tiny", Yaml(t * 100 + i));
          std::lock_guard<std::mutex> lock(mu);
          if (v.ok()) {
            got.push_back(*v);
          } else {
            errors.push_back(v.status().ToString());
          }
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  const int64_t total = 2 * kThreadsPerGateway * kPutsPerThread;
  std::sort(got.begin(), got.end());
  std::vector<int64_t> expected(total);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(got, expected) << "every put its own version, 1.." << total;
  EXPECT_EQ(Column(pg_.dsn(), "SELECT count(DISTINCT version) FROM quire_templates"),
            std::vector<std::string>{std::to_string(total)});
  // Redis holds all of them, and the highest as the latest.
  auto t = store2.Get("tiny", 0);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->latest_version, total);
  EXPECT_EQ(t->versions, expected);
}

TEST_F(TemplateArchiveTest, ReadsAfterRedisLostItsDataRefillIt) {
  for (int n = 1; n <= 3; ++n) ASSERT_TRUE(store_.Put("tiny", "Tiny", Yaml(n)).ok());
  ASSERT_TRUE(store_.Put("other", "Other", Yaml(9)).ok());
  redis_.Flush();

  // An old version first: Redis gets every version of the template back.
  auto old = store_.Get("tiny", 1);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->yaml, Yaml(1));
  EXPECT_EQ(old->latest_version, 3);
  EXPECT_EQ(old->versions, (std::vector<int64_t>{1, 2, 3}));
  for (int n = 1; n <= 3; ++n) EXPECT_TRUE(InRedis(redis_.port(), "tiny", n)) << n;
  auto latest = store_.Get("tiny", 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->yaml, Yaml(3));

  redis_.Flush();
  auto v = store_.LatestVersion("tiny");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 3);
  EXPECT_TRUE(InRedis(redis_.port(), "tiny", 3));

  // An empty template list after a loss: every template comes back.
  redis_.Flush();
  auto list = store_.List();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "other");
  EXPECT_EQ((*list)[1].id, "tiny");
  EXPECT_EQ((*list)[1].version, 3);
  EXPECT_TRUE(InRedis(redis_.port(), "other", 1));

  // Numbering goes on from PostgreSQL, not from what Redis has.
  redis_.Flush();
  auto next = store_.Put("tiny", "Tiny", Yaml(4));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, 4);
}

TEST_F(TemplateArchiveTest, DeleteKeepsTheRowsAndTheTemplateStaysGone) {
  ASSERT_TRUE(store_.Put("tiny", "Tiny", Yaml(1)).ok());
  ASSERT_TRUE(store_.Put("tiny", "Tiny", Yaml(2)).ok());
  Status deleted = store_.Delete("tiny");
  ASSERT_TRUE(deleted.ok()) << deleted.ToString();
  EXPECT_EQ(Column(pg_.dsn(),
                   "SELECT count(*) FROM quire_templates"
                   " WHERE template_id = 'tiny' AND deleted_at IS NOT NULL"),
            std::vector<std::string>{"2"});
  EXPECT_EQ(store_.Get("tiny", 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.Get("tiny", 1).status().code(), StatusCode::kNotFound);
  // Not even from PostgreSQL after Redis lost everything.
  redis_.Flush();
  EXPECT_EQ(store_.Get("tiny", 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.LatestVersion("tiny").status().code(), StatusCode::kNotFound);
  auto list = store_.List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  EXPECT_FALSE(InRedis(redis_.port(), "tiny", 1));
  EXPECT_EQ(store_.Delete("tiny").code(), StatusCode::kNotFound);
  // A new template of the same id: numbers are never given twice.
  auto again = store_.Put("tiny", "Tiny", Yaml(3));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 3);
  auto t = store_.Get("tiny", 0);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->versions, (std::vector<int64_t>{3}));

  // A template only PostgreSQL still has (Redis lost it) is deleted there.
  redis_.Flush();
  ASSERT_TRUE(store_.Delete("tiny").ok());
  EXPECT_EQ(store_.Get("tiny", 3).status().code(), StatusCode::kNotFound);
}

TEST_F(TemplateArchiveTest, WarmRestoresWhatRedisLostAndArchivesWhatOnlyRedisHad) {
  // Stored before the archive existed: Redis only.
  TemplateStore redis_only(&pool_);
  ASSERT_EQ(*redis_only.Put("old", "Old", Yaml(1)), 1);
  ASSERT_EQ(*redis_only.Put("old", "Old", Yaml(2)), 2);
  auto warmed = store_.Warm();
  ASSERT_TRUE(warmed.ok()) << warmed.status().ToString();
  EXPECT_EQ(warmed->imported, 2);
  EXPECT_EQ(warmed->restored, 0);
  EXPECT_EQ(Column(pg_.dsn(), "SELECT count(*) FROM quire_templates WHERE template_id = 'old'"),
            std::vector<std::string>{"2"});
  // The next version follows them.
  ASSERT_EQ(*store_.Put("old", "Old", Yaml(3)), 3);

  redis_.Flush();
  warmed = store_.Warm();
  ASSERT_TRUE(warmed.ok()) << warmed.status().ToString();
  EXPECT_EQ(warmed->restored, 3);
  EXPECT_EQ(warmed->imported, 0);
  for (int n = 1; n <= 3; ++n) EXPECT_TRUE(InRedis(redis_.port(), "old", n)) << n;
  // Nothing left to do.
  warmed = store_.Warm();
  ASSERT_TRUE(warmed.ok());
  EXPECT_EQ(warmed->restored + warmed->imported, 0);
}

TEST_F(TemplateArchiveTest, PutIsUnavailableWhilePostgresIsDownAndStoresNothing) {
  ASSERT_TRUE(store_.Put("tiny", "Tiny", Yaml(1)).ok());
  pg_.Stop();
  auto v = store_.Put("tiny", "Tiny", Yaml(2));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnavailable) << v.status().ToString();
  EXPECT_NE(v.status().message().find("was not stored"), std::string::npos) << v.status().message();
  EXPECT_FALSE(InRedis(redis_.port(), "tiny", 2)) << "stored in Redis alone";
  // Reads Redis answers need no PostgreSQL.
  auto t = store_.Get("tiny", 0);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->version, 1);

  pg_.Start();
  auto after = store_.Put("tiny", "Tiny", Yaml(2));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, 2);
}

// --- Through gateways and workers -------------------------------------------

TestCluster::Options ArchiveOptions(const TestPostgres& pg) {
  TestCluster::Options o;
  o.gateway_sets = {"history.dsn=" + pg.dsn()};
  o.worker_sets = {"history.dsn=" + pg.dsn()};
  return o;
}

grpc::Status GetTemplate(TestCluster& c, const std::string& id, int64_t version,
                         v1::TemplateInfo* info, size_t gw = 0) {
  v1::GetTemplateRequest req;
  req.set_template_id(id);
  req.set_version(version);
  return c.templates(gw).GetTemplate(Deadline().get(), req, info);
}

TEST(TemplateArchiveCluster, JobsRunAfterRedisLostTheirTemplate) {
  TestPostgres pg;
  TestCluster c(ArchiveOptions(pg));
  v1::PutTemplateResponse put;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate(), &put));
  ASSERT_EQ(put.version(), 1);
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate(), &put));
  ASSERT_EQ(put.version(), 2);

  // The gateway reads both versions back from PostgreSQL.
  c.redis().Flush();
  v1::TemplateInfo info;
  ASSERT_RPC_OK(GetTemplate(c, "tiny", 1, &info));
  EXPECT_EQ(info.version(), 1);
  EXPECT_EQ(info.latest_version(), 2);
  EXPECT_EQ(info.yaml(), TinyTemplate());
  ASSERT_RPC_OK(GetTemplate(c, "tiny", 0, &info));
  EXPECT_EQ(info.version(), 2);

  // Jobs for the latest and the old version, submitted after a loss.
  c.redis().Flush();
  const std::string latest = c.SubmitOk(SubmitRequest("tiny"));
  v1::SubmitJobRequest pinned = SubmitRequest("tiny");
  pinned.set_template_version(1);
  const std::string old = c.SubmitOk(pinned);
  // Redis loses the template again before a worker reads it: the worker
  // reads it from PostgreSQL.
  {
    RedisPool pool(RedisAt(c.redis().port()), 1);
    auto conn = pool.Borrow();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Command({"DEL", keys::Template("tiny")}).ok());
  }
  c.StartWorker("w1", 2);
  const v1::Job a = c.WaitForTerminal(latest, 30s);
  EXPECT_EQ(a.state(), v1::COMPLETED) << Describe(a) << c.LogTails();
  EXPECT_EQ(a.template_version(), 2);
  const v1::Job b = c.WaitForTerminal(old, 30s);
  EXPECT_EQ(b.state(), v1::COMPLETED) << Describe(b) << c.LogTails();
  EXPECT_EQ(b.template_version(), 1);
  EXPECT_TRUE(InRedis(c.redis().port(), "tiny", 1)) << "the worker put it back";

  // A gateway starting after a loss puts every version back into Redis.
  c.redis().Flush();
  const size_t second = c.StartGateway();
  EXPECT_NE(c.gateway(second).Log().find("templates: 2 version(s) restored into Redis"),
            std::string::npos)
      << c.gateway(second).Log();
  EXPECT_TRUE(InRedis(c.redis().port(), "tiny", 1));
  EXPECT_TRUE(InRedis(c.redis().port(), "tiny", 2));
}

TEST(TemplateArchiveCluster, PutTemplateIsUnavailableWithoutPostgres) {
  TestPostgres pg;
  TestCluster c(ArchiveOptions(pg));
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate()));
  pg.Stop();
  const grpc::Status s = c.PutTemplate(TinyTemplate());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(s);
  EXPECT_NE(s.error_message().find("template 'tiny' was not stored: PostgreSQL (history.dsn)"),
            std::string::npos)
      << s.error_message();
  // What Redis has is still served.
  v1::TemplateInfo info;
  ASSERT_RPC_OK(GetTemplate(c, "tiny", 0, &info));
  EXPECT_EQ(info.version(), 1);
  pg.Start();
  v1::PutTemplateResponse put;
  ASSERT_RPC_OK(c.PutTemplate(TinyTemplate(), &put));
  EXPECT_EQ(put.version(), 2);
}

}  // namespace
}  // namespace quire::testing
