// Integration tests of the postgres source and its connection pool against
// a real PostgreSQL: column type mapping, bind arguments of every parameter
// type, injection through a parameter, the read-only transaction, statement
// timeouts, error classes, cancellation, the pool under concurrency, and a
// server that stops and comes back (on a cluster of the test's own).
//
// The shared server is QUIRE_TEST_PG_DSN (tests/run.sh starts it), else a
// TestPostgres of this process. Fixture tables live in a schema of this
// process, dropped at the end.
#include "report/data/postgres_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "common/base/status.h"
#include "common/store/postgres_pool.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/data/source.h"
#include "tests/support/test_servers.h"

namespace quire {
namespace {

using std::chrono::milliseconds;
using Dsns = std::map<std::string, std::string>;
constexpr milliseconds kDefaultStatementTimeout{10000};

// Runs `sql` (one or more statements) outside a transaction.
void Exec(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

SourceSpec PgSource(std::string query, std::vector<std::string> bind_params = {}) {
  SourceSpec spec;
  spec.name = "sales";
  spec.kind = SourceKind::kPostgres;
  spec.connection = "main";
  spec.query = std::move(query);
  spec.bind_params = std::move(bind_params);
  return spec;
}

ParamValue Value(ParamType type, std::string text, int64_t i = 0, double f = 0) {
  ParamValue v;
  v.type = type;
  v.text = std::move(text);
  v.int_value = i;
  v.float_value = f;
  return v;
}

ParamValue List(ParamType item_type, const std::vector<std::string>& items) {
  ParamValue v = Value(ParamType::kList, "");
  for (const auto& item : items) {
    ParamValue p = Value(item_type, item);
    if (item_type == ParamType::kInt) p.int_value = std::atoll(item.c_str());
    v.items.push_back(p);
  }
  return v;
}

class PostgresSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* env = std::getenv("QUIRE_TEST_PG_DSN");
    if (env != nullptr && *env != '\0') {
      base_dsn_ = env;
    } else {
      own_server_ = std::make_unique<testing::TestPostgres>();
      base_dsn_ = own_server_->dsn();
    }
    schema_ = "quire_pg_test_" + std::to_string(getpid());
    Exec(base_dsn_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
    Exec(dsn(),
         "CREATE TABLE types (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, num numeric, "
         "t text, vc varchar(20), bp char(3), b bool, d date, ts timestamp, tstz timestamptz, "
         "u uuid, j json);"
         "INSERT INTO types VALUES (-7, 42, 9000000000, 1.5, -2.25, 12345.678, 'hello', "
         "'world', 'ab', true, '2024-02-29', '2024-01-31 10:00:00.5', "
         "'2024-01-31 10:00:00+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": 1}');"
         "INSERT INTO types VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
         "NULL, NULL, NULL, NULL, NULL);"
         "INSERT INTO types (i4, t, b) VALUES (7, 'seven', false), (8, 'eight', true);");
  }
  static void TearDownTestSuite() {
    Exec(base_dsn_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    own_server_.reset();
  }

  // The shared server with this process's schema first on the search path.
  static std::string dsn() { return base_dsn_ + " options='-csearch_path=" + schema_ + "'"; }
  // The same for pool_, whose connections are told apart by their name.
  static std::string pool_dsn() { return dsn() + " application_name=" + schema_ + "_pool"; }

  StatusOr<Table> Fetch(const SourceSpec& spec, PostgresPool& pool,
                        milliseconds default_timeout = kDefaultStatementTimeout) {
    FetchContext ctx;
    ctx.params = &params_;
    ctx.timeout = milliseconds(10000);
    return FetchPostgresSource(spec, pool, ctx, default_timeout);
  }
  StatusOr<Table> Fetch(const SourceSpec& spec) { return Fetch(spec, pool_); }

  int64_t CountRows(const std::string& table) {
    pqxx::connection conn(dsn());
    pqxx::nontransaction tx(conn);
    return tx.exec("SELECT count(*) FROM " + table)[0][0].as<int64_t>();
  }

  static inline std::unique_ptr<testing::TestPostgres> own_server_;
  static inline std::string base_dsn_;
  static inline std::string schema_;

  PostgresPool pool_{Dsns{{"main", pool_dsn()}, {"replica", pool_dsn()}}, 2};
  ParamValues params_;
};

TEST_F(PostgresSourceTest, ColumnTypesMapToTableTypes) {
  StatusOr<Table> table =
      Fetch(PgSource("SELECT i2, i4, i8, f4, f8, num, t, vc, bp, b, d, ts, tstz, u, j FROM types "
                     "ORDER BY i4 NULLS LAST LIMIT 2 OFFSET 2"));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  // Rows: 42 (the full row), then NULLs.
  ASSERT_EQ(table->num_rows(), 2u);
  std::map<std::string, ColumnType> want = {
      {"i2", ColumnType::kInt},    {"i4", ColumnType::kInt},   {"i8", ColumnType::kInt},
      {"f4", ColumnType::kFloat},  {"f8", ColumnType::kFloat}, {"num", ColumnType::kFloat},
      {"t", ColumnType::kText},    {"vc", ColumnType::kText},  {"bp", ColumnType::kText},
      {"b", ColumnType::kBool},    {"d", ColumnType::kDate},   {"ts", ColumnType::kText},
      {"tstz", ColumnType::kText}, {"u", ColumnType::kText},   {"j", ColumnType::kText}};
  ASSERT_EQ(table->num_columns(), want.size());
  for (const auto& [name, type] : want) {
    const Column* c = table->FindColumn(name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ(c->type(), type) << name;
    EXPECT_FALSE(c->IsNull(0)) << name;
    EXPECT_TRUE(c->IsNull(1)) << name;
  }
  EXPECT_EQ(table->FindColumn("i2")->int_value(0), -7);
  EXPECT_EQ(table->FindColumn("i4")->int_value(0), 42);
  EXPECT_EQ(table->FindColumn("i8")->int_value(0), 9000000000);
  EXPECT_DOUBLE_EQ(table->FindColumn("f4")->float_value(0), 1.5);
  EXPECT_DOUBLE_EQ(table->FindColumn("f8")->float_value(0), -2.25);
  EXPECT_DOUBLE_EQ(table->FindColumn("num")->float_value(0), 12345.678);
  EXPECT_EQ(table->FindColumn("t")->text_value(0), "hello");
  EXPECT_EQ(table->FindColumn("vc")->text_value(0), "world");
  EXPECT_EQ(table->FindColumn("bp")->text_value(0), "ab ");
  EXPECT_EQ(table->FindColumn("b")->AsString(0), "true");
  EXPECT_EQ(FormatDate(table->FindColumn("d")->int_value(0)), "2024-02-29");
  EXPECT_EQ(table->FindColumn("ts")->text_value(0), "2024-01-31 10:00:00.5");
  EXPECT_EQ(table->FindColumn("tstz")->text_value(0), "2024-01-31 08:00:00");  // UTC
  EXPECT_EQ(table->FindColumn("u")->text_value(0), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(table->FindColumn("j")->text_value(0), "{\"k\": 1}");
}

TEST_F(PostgresSourceTest, DeclaredColumnsAreCheckedAndConverted) {
  SourceSpec spec = PgSource("SELECT i4, b, d, t, i8 FROM types WHERE i4 = 42");
  spec.columns = {{"t", ColumnType::kText}, {"i4", ColumnType::kFloat}, {"b", ColumnType::kText}};
  spec.columns_known = true;
  StatusOr<Table> table = Fetch(spec);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->num_columns(), 3u);  // declared ones only, in declared order
  EXPECT_EQ(table->column(0).name(), "t");
  EXPECT_EQ(table->column(1).type(), ColumnType::kFloat);
  EXPECT_DOUBLE_EQ(table->column(1).float_value(0), 42);
  EXPECT_EQ(table->column(2).type(), ColumnType::kText);
  EXPECT_EQ(table->column(2).text_value(0), "true");

  spec.columns.push_back({"region", ColumnType::kText});
  table = Fetch(spec);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(table.status().message().find("'region'"), std::string::npos)
      << table.status().message();
  EXPECT_NE(table.status().message().find("'sales'"), std::string::npos);

  spec.columns = {{"t", ColumnType::kInt}};  // "hello" is no int
  table = Fetch(spec);
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(table.status().message().find("hello"), std::string::npos);
}

TEST_F(PostgresSourceTest, BindsEveryParameterType) {
  params_["i"] = Value(ParamType::kInt, "42", 42, 42);
  params_["f"] = Value(ParamType::kFloat, "2.5", 0, 2.5);
  params_["b"] = Value(ParamType::kBool, "true", 1);
  params_["d"] = Value(ParamType::kDate, "2024-02-29", *ParseDate("2024-02-29"));
  params_["ts"] = Value(ParamType::kDatetime, "", *ParseDatetime("2024-01-31T10:20:30Z"));
  params_["s"] = Value(ParamType::kString, "it's \"quoted\"");
  params_["e"] = Value(ParamType::kEnum, "north");
  StatusOr<Table> table =
      Fetch(PgSource("SELECT $1::int8 + 1 AS i, $2::float8 * 2 AS f, NOT $3::bool AS b, "
                     "$4::date + 1 AS d, $5::timestamptz AS ts, $6::text AS s, $7::text AS e, "
                     "$8::text IS NULL AS absent_is_null",
                     {"i", "f", "b", "d", "ts", "s", "e", "absent"}));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->FindColumn("i")->int_value(0), 43);
  EXPECT_DOUBLE_EQ(table->FindColumn("f")->float_value(0), 5.0);
  EXPECT_EQ(table->FindColumn("b")->AsString(0), "false");
  EXPECT_EQ(table->FindColumn("d")->AsString(0), "2024-03-01");
  EXPECT_EQ(table->FindColumn("ts")->text_value(0), "2024-01-31 10:20:30");
  EXPECT_EQ(table->FindColumn("s")->text_value(0), "it's \"quoted\"");
  EXPECT_EQ(table->FindColumn("e")->text_value(0), "north");
  EXPECT_EQ(table->FindColumn("absent_is_null")->AsString(0), "true");
}

TEST_F(PostgresSourceTest, ListsBindAsArraysForAny) {
  params_["ids"] = List(ParamType::kInt, {"7", "42", "1000"});
  StatusOr<Table> table =
      Fetch(PgSource("SELECT i4 FROM types WHERE i4 = ANY($1) ORDER BY i4", {"ids"}));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->num_rows(), 2u);
  EXPECT_EQ(table->column(0).int_value(0), 7);
  EXPECT_EQ(table->column(0).int_value(1), 42);

  // Items with commas, quotes, backslashes and braces stay whole.
  params_["names"] = List(ParamType::kString, {"a,b", "say \"hi\"", "back\\slash", "{x}", ""});
  table = Fetch(PgSource("SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n",
                         {"names"}));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->num_rows(), 5u);
  EXPECT_EQ(table->column(0).text_value(0), "a,b");
  EXPECT_EQ(table->column(0).text_value(1), "say \"hi\"");
  EXPECT_EQ(table->column(0).text_value(2), "back\\slash");
  EXPECT_EQ(table->column(0).text_value(3), "{x}");
  EXPECT_EQ(table->column(0).text_value(4), "");

  params_["names"] = List(ParamType::kString, {"seven", "eight"});
  table = Fetch(PgSource("SELECT count(*) AS n FROM types WHERE t = ANY($1)", {"names"}));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->column(0).int_value(0), 2);
}

TEST_F(PostgresSourceTest, InjectionThroughParameterStaysData) {
  params_["region"] = Value(ParamType::kString, "x'; DROP TABLE types; --");
  StatusOr<Table> table = Fetch(PgSource("SELECT t FROM types WHERE t = $1", {"region"}));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->num_rows(), 0u);
  EXPECT_EQ(CountRows("types"), 4);
}

TEST_F(PostgresSourceTest, QueryRunsReadOnly) {
  StatusOr<Table> table = Fetch(PgSource("UPDATE types SET t = 'changed' RETURNING t"));
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(table.status().message().find("read-only transaction"), std::string::npos)
      << table.status().message();
  // Two statements cannot be sent at once either.
  table = Fetch(PgSource("COMMIT; UPDATE types SET t = 'changed'"));
  EXPECT_FALSE(table.ok());
  pqxx::connection conn(dsn());
  pqxx::nontransaction tx(conn);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM types WHERE t = 'changed'")[0][0].as<int>(), 0);
}

TEST_F(PostgresSourceTest, StatementTimeoutIsDeadlineExceeded) {
  SourceSpec spec = PgSource("SELECT pg_sleep(5)");
  spec.timeout = milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  StatusOr<Table> table = Fetch(spec);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kDeadlineExceeded) << table.status().ToString();
  EXPECT_TRUE(IsTransient(table.status()));
  EXPECT_LT(elapsed, std::chrono::seconds(3));

  // Without a source timeout the default applies; the connection stays usable.
  start = std::chrono::steady_clock::now();
  table = Fetch(PgSource("SELECT pg_sleep(5)"), pool_, milliseconds(300));
  EXPECT_EQ(table.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(Fetch(PgSource("SELECT 1 AS one")).ok());
}

TEST_F(PostgresSourceTest, CancellationStopsARunningQuery) {
  FetchContext ctx;
  auto start = std::chrono::steady_clock::now();
  ctx.cancelled = [start] { return std::chrono::steady_clock::now() - start > milliseconds(200); };
  StatusOr<Table> table =
      FetchPostgresSource(PgSource("SELECT pg_sleep(5)"), pool_, ctx, kDefaultStatementTimeout);
  EXPECT_EQ(table.status().code(), StatusCode::kCancelled) << table.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(Fetch(PgSource("SELECT 1 AS one")).ok());
}

TEST_F(PostgresSourceTest, SqlErrorsAreInvalidArgumentNamingTheSource) {
  for (const char* query :
       {"SELEC 1", "SELECT * FROM no_such_table", "SELECT no_such_column FROM types"}) {
    StatusOr<Table> table = Fetch(PgSource(query));
    ASSERT_FALSE(table.ok()) << query;
    EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument) << query;
    EXPECT_NE(table.status().message().find("postgres source 'sales'"), std::string::npos)
        << table.status().message();
    EXPECT_FALSE(IsTransient(table.status()));
  }
  StatusOr<Table> table = Fetch(PgSource("SELEC 1"));
  EXPECT_NE(table.status().message().find("syntax error"), std::string::npos);
  table = Fetch(PgSource("SELECT * FROM no_such_table"));
  EXPECT_NE(table.status().message().find("no_such_table"), std::string::npos);
  // A parameter that is not of the column's type is bad data, not a crash.
  params_["i"] = Value(ParamType::kString, "not a number");
  table = Fetch(PgSource("SELECT $1::int AS i", {"i"}));
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PostgresSourceTest, UnknownConnectionIsFailedPrecondition) {
  SourceSpec spec = PgSource("SELECT 1");
  spec.connection = "warehouse";
  StatusOr<Table> table = Fetch(spec);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kFailedPrecondition);
  const std::string& m = table.status().message();
  EXPECT_NE(m.find("'warehouse'"), std::string::npos) << m;
  EXPECT_NE(m.find("'main', 'replica'"), std::string::npos) << m;
}

TEST_F(PostgresSourceTest, PoolOfTwoServesSixConcurrentFetches) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int64_t> max_backends{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      ParamValues params{{"i", Value(ParamType::kInt, std::to_string(i), i, i)}};
      FetchContext ctx;
      ctx.params = &params;
      ctx.timeout = milliseconds(10000);
      StatusOr<Table> t = FetchPostgresSource(
          PgSource("SELECT $1::int AS i, count(*) AS backends FROM pg_stat_activity, "
                   "pg_sleep(0.2) WHERE application_name = current_setting('application_name')",
                   {"i"}),
          pool_, ctx, kDefaultStatementTimeout);
      if (t.ok() && t->column(0).int_value(0) == i) {
        ++ok;
        int64_t n = t->column(1).int_value(0);
        for (int64_t m = max_backends; n > m && !max_backends.compare_exchange_weak(m, n);) {
        }
      } else {
        ADD_FAILURE() << t.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 6);
  EXPECT_LE(max_backends, 2);  // never more than pool_size connections
}

TEST_F(PostgresSourceTest, BorrowWaitsThenDeadlineExceeded) {
  PostgresPool pool(Dsns{{"main", dsn()}}, 1);
  StatusOr<PostgresPool::Lease> held = pool.Borrow("main", milliseconds(5000));
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  auto start = std::chrono::steady_clock::now();
  StatusOr<PostgresPool::Lease> second = pool.Borrow("main", milliseconds(200));
  EXPECT_EQ(second.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(200));
  // Returned while a borrower waits: it gets the same connection.
  std::thread release([&held] {
    std::this_thread::sleep_for(milliseconds(100));
    PostgresPool::Lease gone = std::move(*held);
  });
  StatusOr<PostgresPool::Lease> third = pool.Borrow("main", milliseconds(5000));
  release.join();
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE(third->reused());
}

TEST_F(PostgresSourceTest, HundredThousandRowsConvert) {
  auto start = std::chrono::steady_clock::now();
  StatusOr<Table> table =
      Fetch(PgSource("SELECT g::int8 AS n, g * 0.5::float8 AS half, g % 2 = 0 AS even, "
                     "'row ' || g AS label, date '2024-01-01' + g % 366 AS day "
                     "FROM generate_series(1, 100000) AS g"));
  auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->num_rows(), 100000u);
  int64_t sum = 0, evens = 0, day_sum = 0;
  double half_sum = 0;
  for (size_t i = 0; i < table->num_rows(); ++i) {
    sum += table->column(0).int_value(i);
    half_sum += table->column(1).float_value(i);
    evens += table->column(2).int_value(i);
    day_sum += table->column(4).int_value(i) - *ParseDate("2024-01-01");
  }
  EXPECT_EQ(sum, 5000050000);
  EXPECT_DOUBLE_EQ(half_sum, 2500025000.0);
  EXPECT_EQ(evens, 50000);
  int64_t want_days = 0;
  for (int64_t g = 1; g <= 100000; ++g) want_days += g % 366;
  EXPECT_EQ(day_sum, want_days);
  EXPECT_EQ(table->column(3).text_value(99999), "row 100000");
  std::cout << "100k rows x 5 columns fetched and converted in " << elapsed.count() << " ms\n";
}

TEST(PostgresPoolTest, ServerDownIsUnavailableAndThePoolRecovers) {
  testing::TestPostgres server;
  PostgresPool pool(Dsns{{"main", server.dsn()}}, 2);
  FetchContext ctx;
  ctx.timeout = milliseconds(5000);
  SourceSpec spec = PgSource("SELECT 1 AS one");
  auto fetch = [&] { return FetchPostgresSource(spec, pool, ctx, kDefaultStatementTimeout); };
  auto warm_two = [&] {  // two idle connections in the pool
    StatusOr<PostgresPool::Lease> a = pool.Borrow("main", ctx.timeout);
    StatusOr<PostgresPool::Lease> b = pool.Borrow("main", ctx.timeout);
    ASSERT_TRUE(a.ok() && b.ok());
  };
  warm_two();
  ASSERT_TRUE(fetch().ok());

  // Restarted while idle: the stale connections are replaced on first use.
  server.Stop();
  server.Start();
  StatusOr<Table> table = fetch();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->column(0).int_value(0), 1);
  warm_two();

  // Down: UNAVAILABLE, transient.
  server.Stop();
  table = fetch();
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kUnavailable) << table.status().ToString();
  EXPECT_TRUE(IsTransient(table.status()));
  EXPECT_NE(table.status().message().find("'sales'"), std::string::npos);
  table = fetch();  // no connection at all now: refused
  EXPECT_EQ(table.status().code(), StatusCode::kUnavailable) << table.status().ToString();

  // Back: the next fetch succeeds.
  server.Start();
  table = fetch();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->column(0).int_value(0), 1);
}

TEST(PostgresPoolTest, ParsesNamedConnections) {
  auto dsns = ParsePostgresConnections(
      " main=host=db1 port=5432 password=s3cret ; replica = postgresql://u@db2/reports;");
  ASSERT_TRUE(dsns.ok()) << dsns.status().ToString();
  ASSERT_EQ(dsns->size(), 2u);
  EXPECT_EQ(dsns->at("main"), "host=db1 port=5432 password=s3cret");
  EXPECT_EQ(dsns->at("replica"), "postgresql://u@db2/reports");
  EXPECT_TRUE(ParsePostgresConnections("")->empty());

  for (const char* bad : {"main", "=host=x", "ma in=host=x", "main=", "a=host=x;a=host=y"}) {
    auto r = ParsePostgresConnections(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("postgres.connections"), std::string::npos);
  }
  auto r = ParsePostgresConnections("a=host=x password=hunter2;a=host=y password=hunter2");
  EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
}

TEST_F(PostgresSourceTest, BadDatabaseIsFailedPreconditionAndHidesThePassword) {
  PostgresPool pool(Dsns{{"main", base_dsn_ + " dbname=no_such_db password=hunter2"}}, 1);
  StatusOr<PostgresPool::Lease> lease = pool.Borrow("main", milliseconds(5000));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), StatusCode::kFailedPrecondition) << lease.status().ToString();
  EXPECT_EQ(lease.status().message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace quire
