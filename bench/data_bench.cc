// data_bench (Google Benchmark):
// - transforms over 1,000,000 rows: a group-by on an int and a text key
//   (1,000 groups) with sum, avg and count, which must stay well under
//   100 ms; then filter + derive + sort over the same rows. The table is
//   built once, outside the timing.
// - with real servers (a scratch redis-server and PostgreSQL cluster started
//   on free loopback ports, as the tests do): a cached source read (a hit:
//   GET + decode) of 1,000 and 100,000 rows; ten HTTP sources (1,000 rows
//   each, 100 ms of server latency each) collected concurrently, fresh and
//   cached; a 100,000-row PostgreSQL query into the table model.
#include <benchmark/benchmark.h>

#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <string>

#include "common/queue/redis_client.h"
#include "common/table/table_codec.h"
#include "report/data/collector.h"
#include "report/data/source_cache.h"
#include "report/data/transforms.h"
#include "tests/support/local_http_server.h"
#include "tests/support/test_servers.h"

namespace {

constexpr size_t kRows = 1'000'000;
constexpr int kGroups = 1000;

// region_id:int, region:text (one per id), amount:float, qty:int; the
// groups in random order.
const quire::ReportData& Data() {
  static const quire::ReportData data = [] {
    quire::ReportData d;
    quire::Table& t = d.tables["sales"];
    quire::Column* id = t.AddColumn("region_id", quire::ColumnType::kInt);
    quire::Column* name = t.AddColumn("region", quire::ColumnType::kText);
    quire::Column* amount = t.AddColumn("amount", quire::ColumnType::kFloat);
    quire::Column* qty = t.AddColumn("qty", quire::ColumnType::kInt);
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> group(0, kGroups - 1);
    std::uniform_real_distribution<double> value(0, 100);
    for (size_t r = 0; r < kRows; ++r) {
      const int g = group(rng);
      id->AppendInt(g);
      name->AppendText("region-" + std::to_string(g));
      amount->AppendFloat(value(rng));
      qty->AppendInt(static_cast<int64_t>(r % 7));
    }
    return d;
  }();
  return data;
}

void Run(benchmark::State& state, const quire::TransformSpec& t) {
  const quire::ReportData& data = Data();
  size_t rows = 0;
  for (auto _ : state) {
    quire::StatusOr<quire::Table> out = quire::ApplyTransform(t, data, {});
    if (!out.ok()) {
      state.SkipWithError(out.status().message().c_str());
      return;
    }
    rows = out->num_rows();
    benchmark::DoNotOptimize(out);
  }
  state.counters["out_rows"] = static_cast<double>(rows);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
}

void BM_GroupBy3Aggregates(benchmark::State& state) {
  quire::TransformSpec t;
  t.name = "by_region";
  t.from = "sales";
  t.group_by = {"region_id", "region"};
  t.aggregate = {{"total", quire::AggregateFunction::kSum, "amount"},
                 {"mean", quire::AggregateFunction::kAvg, "amount"},
                 {"n", quire::AggregateFunction::kCount, ""}};
  Run(state, t);
}
BENCHMARK(BM_GroupBy3Aggregates)->Unit(benchmark::kMillisecond);

void BM_FilterDeriveSort(benchmark::State& state) {
  quire::TransformSpec t;
  t.name = "ranked";
  t.from = "sales";
  t.filter = "amount > 10";
  t.derive = {{"value", "amount * qty"}};
  t.sort = {{"value", true}, {"region", false}};
  Run(state, t);
}
BENCHMARK(BM_FilterDeriveSort)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------
// With servers: started on first use, stopped at exit.

quire::testing::TestRedis& Redis() {
  static quire::testing::TestRedis redis;
  return redis;
}

quire::RedisPool& Pool() {
  static quire::RedisPool pool(
      quire::RedisOptions{"127.0.0.1", Redis().port(), "", std::chrono::milliseconds(5000)});
  return pool;
}

// `rows` rows of a typical report source: text, int, float, date, bool, text.
quire::Table ReportRows(size_t rows) {
  quire::Table t;
  quire::Column* site = t.AddColumn("site", quire::ColumnType::kText);
  quire::Column* n = t.AddColumn("events", quire::ColumnType::kInt);
  quire::Column* v = t.AddColumn("cost", quire::ColumnType::kFloat);
  quire::Column* d = t.AddColumn("opened_on", quire::ColumnType::kDate);
  quire::Column* b = t.AddColumn("closed", quire::ColumnType::kBool);
  quire::Column* c = t.AddColumn("category", quire::ColumnType::kText);
  for (size_t r = 0; r < rows; ++r) {
    site->AppendText("site-" + std::to_string(r % 37));
    n->AppendInt(static_cast<int64_t>(r * 7 % 1000));
    v->AppendFloat(static_cast<double>(r) * 1.25);
    d->AppendDate(19000 + static_cast<int64_t>(r % 365));
    b->AppendBool(r % 3 == 0);
    c->AppendText(r % 5 == 0 ? "Supplier" : "Process");
  }
  return t;
}

void BM_CachedSourceRead(benchmark::State& state) {
  const size_t rows = static_cast<size_t>(state.range(0));
  quire::SourceCache cache(&Pool(), quire::SourceCacheOptions());
  quire::SourceCache::Lookup lookup;
  lookup.key = "bench-cached-read-" + std::to_string(rows);
  lookup.ttl = std::chrono::minutes(10);
  const quire::Table table = ReportRows(rows);
  quire::CacheOutcome outcome;
  (void)cache.GetOrFetch(
      lookup, [&] { return quire::StatusOr<quire::Table>(table); }, {}, &outcome);
  for (auto _ : state) {
    quire::StatusOr<quire::Table> t = cache.GetOrFetch(
        lookup, [&] { return quire::StatusOr<quire::Table>(table); }, {}, &outcome);
    if (!t.ok() || outcome != quire::CacheOutcome::kHit || t->num_rows() != rows) {
      state.SkipWithError("not a cache hit");
      return;
    }
    benchmark::DoNotOptimize(t);
  }
  state.counters["bytes"] = static_cast<double>(quire::EncodeTable(table).size());
}
BENCHMARK(BM_CachedSourceRead)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Ten APIs, each on its own server (as ten sources usually are), each
// serving 1,000 records after 100 ms.
std::vector<std::unique_ptr<quire::test::LocalHttpServer>>& Apis() {
  static std::vector<std::unique_ptr<quire::test::LocalHttpServer>> servers = [] {
    static const std::string body = [] {
      std::string b = "[";
      for (int i = 0; i < 1000; ++i) {
        b += (i ? "," : "") + std::string("{\"site\": \"site-") + std::to_string(i % 37) +
             "\", \"events\": " + std::to_string(i) + ", \"cost\": " + std::to_string(i * 1.25) +
             "}";
      }
      return b + "]";
    }();
    std::vector<std::unique_ptr<quire::test::LocalHttpServer>> out;
    for (int i = 0; i < 10; ++i) {
      out.push_back(std::make_unique<quire::test::LocalHttpServer>([](httplib::Server& s) {
        s.Get("/rows", [](const httplib::Request&, httplib::Response& res) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          res.set_content(body, "application/json");
        });
      }));
    }
    return out;
  }();
  return servers;
}

void BM_TenSourcesConcurrently(benchmark::State& state) {
  const bool cached = state.range(0) == 1;
  quire::CollectorOptions options;
  std::string yaml = "id: ten_sources\ntitle: T\nsources:\n";
  for (size_t i = 0; i < Apis().size(); ++i) {
    options.http.allow_hosts.push_back(Apis()[i]->Host());
    yaml +=
        "  s" + std::to_string(i) + ": {kind: http, url: \"" + Apis()[i]->Url("/rows") + "\"}\n";
  }
  quire::SourceCollector collector(options, &Pool());
  quire::ParseResult parsed = quire::ParseTemplate(yaml);
  if (!parsed.tmpl) {
    state.SkipWithError("template does not parse");
    return;
  }
  quire::CacheScope scope;
  scope.fresh = !cached;
  for (auto _ : state) {
    quire::ReportData data;
    quire::Status s = collector.Collect(*parsed.tmpl, {}, {}, &data, nullptr, scope);
    if (!s.ok() || data.tables.size() != 10) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(data);
  }
  state.SetLabel(cached ? "cached" : "fresh (100 ms server latency each)");
}
BENCHMARK(BM_TenSourcesConcurrently)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

quire::testing::TestPostgres& Postgres() {
  static quire::testing::TestPostgres pg;
  static const bool filled = [] {
    pqxx::connection conn(pg.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS events AS SELECT i AS id, 'site-' || (i % 37) AS site,"
        " (i % 5)::int AS severity, (i * 1.25)::float8 AS cost, (i * 0.5)::numeric(12,2) AS amount,"
        " date '2024-01-01' + (i % 365) AS opened_on,"
        " timestamp '2024-01-01 08:00' + i * interval '1 minute' AS opened_at, i % 3 = 0 AS closed"
        " FROM generate_series(1, 100000) AS i");
    return true;
  }();
  (void)filled;
  return pg;
}

void BM_Postgres100kRows(benchmark::State& state) {
  quire::CollectorOptions options;
  options.postgres_dsns = {{"bench", Postgres().dsn()}};
  quire::SourceCollector collector(options);
  quire::SourceSpec source;
  source.name = "events";
  source.kind = quire::SourceKind::kPostgres;
  source.connection = "bench";
  source.query =
      "SELECT id, site, severity, cost, amount, opened_on, opened_at, closed FROM events";
  for (auto _ : state) {
    quire::StatusOr<quire::Table> t = collector.Fetch(source, {}, {});
    if (!t.ok() || t->num_rows() != 100000) {
      state.SkipWithError(t.ok() ? "wrong row count" : t.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100000);
}
BENCHMARK(BM_Postgres100kRows)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
