// Data collection as users see it, through the gateway and real workers:
// 20 identical jobs at once fetch their HTTP source once (the rest are
// cache hits, in GetMetrics and on /metrics) and a fresh-data job fetches
// again; an optional source that fails leaves a warning on the completed
// job; a PostgreSQL source survives its server being stopped (a job out of
// attempts fails with a clear error; one with attempts left waits and
// completes when the server is back);
// ValidateTemplate with test_sources fetches real sources with the given
// parameters.
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>

#include "tests/integration/cluster.h"
#include "tests/support/local_http_server.h"

namespace quire::testing {
namespace {

// Serves /rows: three records, after `delay_ms`; counts requests.
class SlowRecords {
 public:
  explicit SlowRecords(int delay_ms)
      : delay_ms_(delay_ms), server_([this](httplib::Server& s) {
          s.Get("/rows", [this](const httplib::Request&, httplib::Response& res) {
            ++requests_;
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
            res.set_content(
                R"([{"region": "North", "sales": 120.5}, {"region": "South", "sales": 98},
                                {"region": "East", "sales": 143.25}])",
                "application/json");
          });
        }) {}
  std::string Host() const { return server_.Host(); }
  std::string Url(const std::string& path) const { return server_.Url(path); }
  int requests() const { return requests_.load(); }

 private:
  const int delay_ms_;
  std::atomic<int> requests_{0};
  test::LocalHttpServer server_;
};

std::string HttpTemplate(const std::string& url) {
  return "id: web_sales\ntitle: Web sales\nsources:\n"
         "  web: {kind: http, url: \"" +
         url +
         "\", cache_ttl: 10m}\n"
         "sections:\n  - table: {source: web}\noutputs: [csv]\n";
}

TEST(DataJobs, TwentyIdenticalJobsFetchTheirSourceOnceAndFreshDataFetchesAgain) {
  SlowRecords source(500);
  const int metrics_port = FreePort();
  TestCluster::Options options;
  options.worker_sets = {"http.allow_hosts=" + source.Host()};
  options.gateway_sets = {"gateway.metrics_listen=127.0.0.1:" + std::to_string(metrics_port)};
  TestCluster c(options);
  c.StartWorker("w1", 10);
  c.StartWorker("w2", 10);
  ASSERT_RPC_OK(c.PutTemplate(HttpTemplate(source.Url("/rows"))));

  const std::vector<std::string> ids = c.SubmitMany(SubmitRequest("web_sales"), 20);
  ASSERT_EQ(ids.size(), 20u);
  std::set<std::string> workers;
  for (const std::string& id : ids) {
    const v1::Job job = c.WaitForTerminal(id, 60s);
    EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
    workers.insert(job.worker_id());
  }
  EXPECT_EQ(workers.size(), 2u) << "the jobs did not spread over both workers";
  EXPECT_EQ(source.requests(), 1) << "identical concurrent jobs fetched the source more than once";

  v1::Metrics m;
  ASSERT_RPC_OK(c.GetMetrics(&m));
  ASSERT_EQ(m.sources_size(), 1);
  EXPECT_EQ(m.sources(0).template_id(), "web_sales");
  EXPECT_EQ(m.sources(0).source(), "web");
  EXPECT_EQ(m.sources(0).cache_hits(), 19);
  EXPECT_EQ(m.sources(0).cache_misses(), 1);
  EXPECT_EQ(m.sources(0).fetches(), 1);
  EXPECT_GE(m.sources(0).fetch_ms_total(), 500);

  ASSERT_TRUE(WaitForPort(metrics_port, 10s));
  httplib::Client http("127.0.0.1", metrics_port);
  auto page = http.Get("/metrics");
  ASSERT_TRUE(page) << "no /metrics";
  EXPECT_NE(
      page->body.find("quire_source_cache_hits_total{template=\"web_sales\",source=\"web\"} 19"),
      std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("quire_source_fetch_ms_count{template=\"web_sales\",source=\"web\"} 1"),
            std::string::npos);

  // A job asking for fresh data fetches again; the one after it is a hit.
  v1::SubmitJobRequest fresh = SubmitRequest("web_sales");
  fresh.set_fresh_data(true);
  v1::Job job = c.WaitForTerminal(c.SubmitOk(fresh), 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  EXPECT_TRUE(job.fresh_data());
  EXPECT_EQ(source.requests(), 2);
  job = c.WaitForTerminal(c.SubmitOk(SubmitRequest("web_sales")), 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  EXPECT_EQ(source.requests(), 2);
  ASSERT_RPC_OK(c.GetMetrics(&m));
  EXPECT_EQ(m.sources(0).fresh_fetches(), 1);
  EXPECT_EQ(m.sources(0).cache_hits(), 20);
}

TEST(DataJobs, AnOptionalSourceThatFailsLeavesAWarningOnTheCompletedJob) {
  TestCluster c;
  c.StartWorker("w1", 2);
  // Port 9 on loopback: nothing listens, so the fetch is refused.
  ASSERT_RPC_OK(c.PutTemplate(
      "id: partly\ntitle: Partly\nsources:\n"
      "  gone: {kind: http, url: \"http://127.0.0.1:9/x\", optional: true}\n"
      "  here: {kind: inline, columns: [{name: n, type: int}], rows: [[1]]}\n"
      "sections:\n  - table: {source: gone}\n  - table: {source: here}\noutputs: [pdf]\n"));
  const v1::Job job = c.WaitForTerminal(c.SubmitOk(SubmitRequest("partly")), 30s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  ASSERT_EQ(job.warnings_size(), 1) << Describe(job);
  EXPECT_NE(job.warnings(0).find("'gone'"), std::string::npos) << job.warnings(0);
  EXPECT_NE(job.warnings(0).find("allow"), std::string::npos) << job.warnings(0);
}

// PostgreSQL stopped mid-run: a job out of attempts fails with a clear
// error naming the source; a job with attempts left waits RETRY_SCHEDULED
// and completes once the server is back; later jobs run as usual.
TEST(DataJobs, PostgresStoppedJobsRetryAndSucceedWhenItReturnsOrFailClearly) {
  TestPostgres pg;
  {
    pqxx::connection conn(pg.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec(
        "CREATE TABLE sales (region text, amount numeric);"
        "INSERT INTO sales VALUES ('North', 120.5), ('South', 98)");
  }
  TestCluster::Options options;
  options.worker_sets = {"postgres.connections=main=" + pg.dsn(),
                         "data.retry_attempts=3",
                         "data.retry_base_ms=100",
                         "data.timeout_ms=3000",
                         "data.cache_ttl_s=0",  // every job queries
                         "queue.retry_base_ms=300",
                         "queue.retry_max_ms=600"};
  TestCluster c(options);
  c.StartWorker("w1", 2);
  ASSERT_RPC_OK(c.PutTemplate(
      "id: pg_sales\ntitle: Sales\nsources:\n"
      "  sales: {kind: postgres, connection: main, query: \"SELECT region, amount FROM sales\"}\n"
      "sections:\n  - table: {source: sales}\noutputs: [csv]\n"));

  v1::Job job = c.WaitForTerminal(c.SubmitOk(SubmitRequest("pg_sales")), 30s);
  ASSERT_EQ(job.state(), v1::COMPLETED) << Describe(job);

  pg.Stop();
  v1::SubmitJobRequest short_budget = SubmitRequest("pg_sales");
  short_budget.set_max_attempts(2);
  job = c.WaitForTerminal(c.SubmitOk(short_budget), 60s);
  EXPECT_EQ(job.state(), v1::FAILED) << Describe(job);
  EXPECT_EQ(job.error_code(), "UNAVAILABLE") << Describe(job);
  EXPECT_NE(job.error_message().find("'sales'"), std::string::npos) << job.error_message();
  EXPECT_NE(job.error_message().find("after 3 tries"), std::string::npos) << job.error_message();
  EXPECT_NE(job.error_message().find("attempt 2 of 2"), std::string::npos) << job.error_message();
  EXPECT_EQ(job.attempt_errors_size(), 2);

  v1::SubmitJobRequest patient = SubmitRequest("pg_sales");
  patient.set_max_attempts(20);
  const std::string waiting = c.SubmitOk(patient);
  ASSERT_TRUE(c.PollJob(
      waiting, [](const v1::Job& j) { return j.state() == v1::RETRY_SCHEDULED; }, 30s, &job))
      << Describe(job);
  pg.Start();
  job = c.WaitForTerminal(waiting, 60s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  EXPECT_GE(job.attempt(), 2);
  EXPECT_GE(job.attempt_errors_size(), 1);
  std::string csv;
  ASSERT_RPC_OK(c.GetArtifact(job.job_id(), "table1.csv", &csv));
  EXPECT_NE(csv.find("North,120.5"), std::string::npos) << csv;

  job = c.WaitForTerminal(c.SubmitOk(SubmitRequest("pg_sales")), 30s);
  EXPECT_EQ(job.state(), v1::COMPLETED) << Describe(job);
  EXPECT_EQ(job.attempt(), 1);
}

// ValidateTemplate with test_sources runs each source once, for real: the
// quality_events template's postgres query with bound parameters against a
// live server (rows, columns, types, time), its inline sample, and a clear
// error for a connection the gateway does not know.
TEST(DataJobs, ValidateTemplateTestsRealSourcesWithParameters) {
  TestPostgres pg;
  {
    pqxx::connection conn(pg.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec(
        "CREATE TABLE quality_events (site text, category text, severity int, opened_on date,"
        " days_open int);"
        "INSERT INTO quality_events VALUES"
        " ('Lyon', 'Supplier', 3, '2024-03-04', 4), ('Lyon', 'Process', 1, '2024-03-05', 2),"
        " ('Porto', 'Process', 4, '2024-03-09', 7), ('Austin', 'Supplier', 5, '2024-03-10', 1),"
        " ('Lyon', 'Process', 4, '2024-04-02', 3)");
  }
  TestCluster::Options options;
  options.gateway_sets = {"postgres.connections=quality=" + pg.dsn()};
  TestCluster c(options);
  v1::ValidateTemplateRequest req;
  req.set_yaml(ReadFileText(SourceDir() + "/deploy/templates/quality_events.yaml"));
  req.set_test_sources(true);
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"month", "2024-03-15"}, {"sites", "Lyon, Porto"}, {"min_severity", "2"}}) {
    auto* p = req.add_parameters();
    p->set_name(name);
    p->set_value(value);
  }
  v1::ValidateTemplateResponse resp;
  ASSERT_RPC_OK(c.templates().ValidateTemplate(Deadline(30s).get(), req, &resp));
  EXPECT_TRUE(resp.valid());
  std::map<std::string, const v1::SourceTestResult*> by_name;
  for (const auto& s : resp.sources()) by_name[s.source()] = &s;
  ASSERT_TRUE(by_name.count("events") && by_name.count("events_sample"));
  const v1::SourceTestResult& events = *by_name["events"];
  EXPECT_EQ(events.error(), "");
  EXPECT_EQ(events.rows(), 2)
      << "March, Lyon or Porto, severity >= 2: one Lyon and one Porto event";
  ASSERT_EQ(events.columns_size(), 5);
  EXPECT_EQ(events.columns(3), "opened_on");
  ASSERT_EQ(events.column_types_size(), 5);
  EXPECT_EQ(events.column_types(2), "int");
  EXPECT_EQ(events.column_types(3), "date");
  EXPECT_GT(events.elapsed_ms(), 0);
  EXPECT_GT(by_name["events_sample"]->rows(), 0);

  // A gateway without the connection says which one is missing.
  TestCluster bare;
  ASSERT_RPC_OK(bare.templates().ValidateTemplate(Deadline(30s).get(), req, &resp));
  bool named = false;
  for (const auto& s : resp.sources()) {
    if (s.source() == "events") named = s.error().find("'quality'") != std::string::npos;
  }
  EXPECT_TRUE(named) << resp.DebugString();
}

}  // namespace
}  // namespace quire::testing
