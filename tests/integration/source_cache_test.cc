// The source cache against a real redis-server and a local HTTP source that
// counts its requests: a second collect is a hit (seen in the metrics the
// gateway reads), entries expire after their TTL, fresh data bypasses and
// refreshes the cache, 20 concurrent collects on two collectors (two
// workers) fetch once, a failed shared fetch reaches every waiter, a
// crashed fetcher's lock is taken over after its TTL, a corrupt entry is
// replaced, and a stopped Redis leaves collection working, uncached.
#include "report/data/source_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/queue/queue_inspector.h"
#include "common/queue/redis_keys.h"
#include "report/data/collector.h"
#include "tests/support/local_http_server.h"
#include "tests/support/test_servers.h"

namespace quire {
namespace {

using std::chrono::milliseconds;

// Serves /rows (two records whose `n` is the request count, after a delay)
// and /bad (400 after a delay); counts requests.
class CountingSource {
 public:
  CountingSource()
      : server_([this](httplib::Server& s) {
          s.Get("/rows", [this](const httplib::Request&, httplib::Response& res) {
            const int n = ++requests_;
            std::this_thread::sleep_for(milliseconds(delay_ms_.load()));
            res.set_content("[{\"k\": \"a\", \"n\": " + std::to_string(n) +
                                "}, {\"k\": \"b\", \"n\": " + std::to_string(n) + "}]",
                            "application/json");
          });
          s.Get("/bad", [this](const httplib::Request&, httplib::Response& res) {
            ++requests_;
            std::this_thread::sleep_for(milliseconds(delay_ms_.load()));
            res.status = 400;
            res.set_content("no such report", "text/plain");
          });
        }) {}

  std::string Host() const { return server_.Host(); }
  std::string Url(const char* path) const { return server_.Url(path); }
  int requests() const { return requests_.load(); }
  void set_delay(int ms) { delay_ms_ = ms; }

 private:
  std::atomic<int> requests_{0};
  std::atomic<int> delay_ms_{0};
  test::LocalHttpServer server_;
};

class SourceCacheTest : public ::testing::Test {
 protected:
  SourceCacheTest() : pool_(RedisOptions{"127.0.0.1", redis_.port(), "", milliseconds(2000)}) {}

  CollectorOptions Options() const {
    CollectorOptions o;
    o.http.allow_hosts = {source_.Host()};
    o.retry_attempts = 2;
    o.retry_base = milliseconds(10);
    o.default_timeout = milliseconds(5000);
    return o;
  }

  // A template whose one source reads `path` with the given extra keys.
  ReportTemplate Template(const char* path, const std::string& extra = "") const {
    ParseResult parsed =
        ParseTemplate("id: cached\ntitle: T\nsources:\n  web: {kind: http, url: \"" +
                      source_.Url(path) + "\"" + extra + "}\n");
    EXPECT_TRUE(parsed.tmpl.has_value());
    return parsed.tmpl.value_or(ReportTemplate());
  }

  // Collects `tmpl`; the `n` of its first row, or the error.
  StatusOr<int64_t> TryCollect(SourceCollector& collector, const ReportTemplate& tmpl,
                               CacheScope scope = {}) {
    ReportData data;
    Status s = collector.Collect(tmpl, {}, {}, &data, nullptr, scope);
    if (!s.ok()) return s;
    const Column* n = data.tables.at("web").FindColumn("n");
    if (n == nullptr || data.tables.at("web").num_rows() != 2) return Status::Internal("bad table");
    return static_cast<int64_t>(n->AsDouble(0));
  }

  // The `n` of the first row; -1 and a test failure for an error.
  int64_t CollectN(SourceCollector& collector, const ReportTemplate& tmpl, CacheScope scope = {}) {
    StatusOr<int64_t> n = TryCollect(collector, tmpl, scope);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  // Runs one Redis command on the test's pool.
  void Redis(const std::vector<std::string>& argv) {
    auto conn = pool_.Borrow();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    auto r = (*conn)->Command(argv);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  SourceStats Stats() {
    QueueInspector inspector(&pool_);
    auto m = inspector.Metrics();
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (m.ok()) {
      for (const SourceStats& s : m->sources) {
        if (s.template_id == "cached" && s.source == "web") return s;
      }
    }
    return SourceStats();
  }

  testing::TestRedis redis_;
  RedisPool pool_;
  CountingSource source_;
};

TEST_F(SourceCacheTest, SecondCollectIsAHitCountedInMetrics) {
  SourceCollector collector(Options(), &pool_);
  const ReportTemplate tmpl = Template("/rows");
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  EXPECT_EQ(CollectN(collector, tmpl), 1) << "the second collect fetched again";
  EXPECT_EQ(source_.requests(), 1);
  const SourceStats s = Stats();
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.hits, 1);
  EXPECT_EQ(s.fetches, 1);
  EXPECT_EQ(s.errors, 0);

  // Another template version is another entry.
  CacheScope v2;
  v2.template_version = 2;
  EXPECT_EQ(CollectN(collector, tmpl, v2), 2);
  EXPECT_EQ(source_.requests(), 2);
}

TEST_F(SourceCacheTest, EntriesExpireAfterTheSourcesTtl) {
  SourceCollector collector(Options(), &pool_);
  const ReportTemplate tmpl = Template("/rows", ", cache_ttl: 300ms");
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  std::this_thread::sleep_for(milliseconds(450));
  EXPECT_EQ(CollectN(collector, tmpl), 2) << "the entry outlived its TTL";
  EXPECT_EQ(source_.requests(), 2);
}

TEST_F(SourceCacheTest, ZeroTtlCachesNothing) {
  CollectorOptions o = Options();
  o.cache.default_ttl = std::chrono::seconds(0);
  SourceCollector collector(o, &pool_);
  const ReportTemplate tmpl = Template("/rows");
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  EXPECT_EQ(CollectN(collector, tmpl), 2);
  EXPECT_EQ(Stats().bypass, 2);
}

TEST_F(SourceCacheTest, FreshDataBypassesAndRefreshesTheCache) {
  SourceCollector collector(Options(), &pool_);
  const ReportTemplate tmpl = Template("/rows");
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  CacheScope fresh;
  fresh.fresh = true;
  EXPECT_EQ(CollectN(collector, tmpl, fresh), 2);
  EXPECT_EQ(CollectN(collector, tmpl), 2) << "the fresh table did not replace the entry";
  EXPECT_EQ(source_.requests(), 2);
  const SourceStats s = Stats();
  EXPECT_EQ(s.fresh, 1);
  EXPECT_EQ(s.hits, 1);
  EXPECT_EQ(s.misses, 1);
}

TEST_F(SourceCacheTest, TwentyConcurrentCollectsOnTwoWorkersFetchOnce) {
  source_.set_delay(300);
  SourceCollector worker_a(Options(), &pool_);
  RedisPool other_pool(pool_.options());
  SourceCollector worker_b(Options(), &other_pool);
  const ReportTemplate tmpl = Template("/rows");
  std::atomic<int> ok{0};
  std::vector<std::thread> jobs;
  for (int i = 0; i < 20; ++i) {
    jobs.emplace_back([&, i] {
      StatusOr<int64_t> n = TryCollect(i % 2 ? worker_a : worker_b, tmpl);
      if (n.ok() && *n == 1) ++ok;
    });
  }
  for (std::thread& t : jobs) t.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(source_.requests(), 1) << "single flight let more than one fetch through";
  const SourceStats s = Stats();
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.hits, 19);
  EXPECT_EQ(s.fetches, 1);
  EXPECT_GE(s.fetch_ms, 300);
}

TEST_F(SourceCacheTest, AFailedSharedFetchFailsItsWaitersWithTheSameError) {
  source_.set_delay(300);
  SourceCollector collector(Options(), &pool_);
  const ReportTemplate tmpl = Template("/bad");
  std::vector<Status> results(5);
  std::vector<std::thread> jobs;
  for (size_t i = 0; i < results.size(); ++i) {
    jobs.emplace_back([&, i] { results[i] = TryCollect(collector, tmpl).status(); });
  }
  for (std::thread& t : jobs) t.join();
  EXPECT_EQ(source_.requests(), 1);
  for (const Status& s : results) {
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
    EXPECT_NE(s.message().find("'web'"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("400"), std::string::npos) << s.ToString();
  }
  EXPECT_EQ(Stats().errors, 5);
  // Later jobs do not inherit the failure: they try again.
  source_.set_delay(0);
  EXPECT_FALSE(TryCollect(collector, tmpl).ok());
  EXPECT_EQ(source_.requests(), 2);
}

TEST_F(SourceCacheTest, ALockLeftByACrashedFetcherIsTakenOverAfterItsTtl) {
  SourceCollector collector(Options(), &pool_);
  const ReportTemplate tmpl = Template("/rows");
  const std::string key = SourceCacheKey("cached", 0, tmpl.sources[0], {});
  Redis({"SET", keys::CacheLock(key), "crashed-worker", "PX", "400"});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(300))
      << "did not wait for the lock holder";
  EXPECT_EQ(source_.requests(), 1);
}

TEST_F(SourceCacheTest, ACorruptEntryIsFetchedAgainAndReplaced) {
  SourceCollector collector(Options(), &pool_);
  const ReportTemplate tmpl = Template("/rows");
  Redis({"SET", keys::CacheEntry(SourceCacheKey("cached", 0, tmpl.sources[0], {})),
         "QTB1\x05garbage"});
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  EXPECT_EQ(source_.requests(), 1);
}

TEST_F(SourceCacheTest, CollectingWorksWhileRedisIsDown) {
  SourceCollector collector(Options(), &pool_);
  const ReportTemplate tmpl = Template("/rows");
  redis_.Stop();
  EXPECT_EQ(CollectN(collector, tmpl), 1);
  EXPECT_EQ(CollectN(collector, tmpl), 2);
  redis_.Start();
  EXPECT_EQ(CollectN(collector, tmpl), 3);
  EXPECT_EQ(CollectN(collector, tmpl), 3) << "the cache did not come back with Redis";
}

TEST(SourceCacheKeyTest, DependsOnTemplateSourceAndParameters) {
  ParseResult parsed = ParseTemplate(
      "id: k\ntitle: T\nparameters:\n  - {name: region, type: string, default: North}\n"
      "sources:\n  a: {kind: csv, path: a.csv}\n  b: {kind: csv, path: b.csv}\n");
  ASSERT_TRUE(parsed.tmpl.has_value());
  const ReportTemplate& t = *parsed.tmpl;
  auto north = ResolveParameters(t, {{"region", "North"}});
  auto south = ResolveParameters(t, {{"region", "South"}});
  ASSERT_TRUE(north.ok() && south.ok());
  const std::string base = SourceCacheKey("k", 1, t.sources[0], *north);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, SourceCacheKey("k", 1, t.sources[0], *north));
  EXPECT_NE(base, SourceCacheKey("k", 1, t.sources[0], *south));
  EXPECT_NE(base, SourceCacheKey("k", 2, t.sources[0], *north));
  EXPECT_NE(base, SourceCacheKey("other", 1, t.sources[0], *north));
  EXPECT_NE(base, SourceCacheKey("k", 1, t.sources[1], *north));
}

}  // namespace
}  // namespace quire
