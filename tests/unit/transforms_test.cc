// Transforms (report/data/transforms.h): each step and aggregate against
// hand-computed tables, nulls and empty inputs included; the columns every
// result has against the validator's inferred schema; run-time errors; the
// FindTable rule for transforms; and a transform feeding a chart and a table
// through the whole pipeline.
#include "report/data/transforms.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "report/pipeline/pipeline.h"
#include "report/render/section_walk.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

using test::Contains;

// `sales` (nulls in every column), `targets` (two rows for North/Jan, a
// null key) and `empty`; the case's transform `t` follows.
constexpr char kBase[] = R"(id: tx
title: T
parameters:
  - {name: region, type: string, default: North}
sources:
  sales:
    kind: inline
    columns: [{name: region, type: text}, {name: month, type: text}, {name: units, type: int},
              {name: revenue, type: float}, {name: day, type: date}]
    rows:
      - [North, Jan, 10, 100.5, 2024-01-05]
      - [South, Jan, 5, 50, 2024-01-09]
      - [North, Feb, null, 80, 2024-02-01]
      - [null, Feb, 3, null, 2024-02-11]
      - [South, Feb, 7, 70.25, null]
      - [North, Mar, 1, 20, 2024-03-02]
  targets:
    kind: inline
    columns: [{name: region, type: text}, {name: month, type: text}, {name: target, type: float},
              {name: units, type: int}]
    rows:
      - [North, Jan, 90, 99]
      - [North, Jan, 95, 98]
      - [South, Feb, 60, 97]
      - [West, Jan, 10, 96]
      - [null, Feb, 1, 95]
  empty:
    kind: inline
    columns: [{name: region, type: text}, {name: units, type: int}, {name: revenue, type: float}]
    rows: []
transforms:
  t:
)";

// "name:type,..." of a table's columns.
std::string ColumnsOf(const Table& t) {
  std::string s;
  for (size_t i = 0; i < t.num_columns(); ++i) {
    s += (i ? "," : "") + t.column(i).name() + ":" + ColumnTypeName(t.column(i).type());
  }
  return s;
}
std::string ColumnsOf(const std::vector<ColumnSpec>& columns) {
  std::string s;
  for (size_t i = 0; i < columns.size(); ++i) {
    s += (i ? "," : "") + columns[i].name + ":" + ColumnTypeName(columns[i].type);
  }
  return s;
}
// Rows split by ';', cells by ',' as displayed; a null is empty.
std::string RowsOf(const Table& t) {
  std::string s;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (r > 0) s += ";";
    for (size_t i = 0; i < t.num_columns(); ++i) s += (i ? "," : "") + t.column(i).AsString(r);
  }
  return s;
}

struct Case {
  const char* name;
  const char* body;  // transform t's fields, indented by 4
  const char* columns;
  const char* rows;
};

class TransformCaseTest : public testing::TestWithParam<Case> {};

TEST_P(TransformCaseTest, ProducesExpectedTableWithValidatorColumns) {
  const Case& c = GetParam();
  test::PreparedReport r = test::PrepareReport(std::string(kBase) + c.body);
  const Status s = RunTransforms(r.tmpl, r.params, &r.data);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(r.data.tables.count("t"), 1u);
  const Table& table = r.data.tables.at("t");
  EXPECT_EQ(ColumnsOf(table), c.columns);
  EXPECT_EQ(RowsOf(table), c.rows);
  const TransformSpec* t = r.tmpl.FindTransform("t");
  ASSERT_NE(t, nullptr);
  if (t->columns_known) {
    EXPECT_EQ(ColumnsOf(table), ColumnsOf(t->columns)) << "the validator's schema";
  }
}

constexpr char kSalesColumns[] = "region:text,month:text,units:int,revenue:float,day:date";

INSTANTIATE_TEST_SUITE_P(
    Steps, TransformCaseTest,
    testing::Values(
        Case{"FromOnly", "    from: sales\n", kSalesColumns,
             "North,Jan,10,100.5,2024-01-05;South,Jan,5,50,2024-01-09;North,Feb,,80,2024-02-01;"
             ",Feb,3,,2024-02-11;South,Feb,7,70.25,;North,Mar,1,20,2024-03-02"},
        // A comparison with a null is false.
        Case{"FilterNumberSkipsNull", "    from: sales\n    filter: \"revenue > 60\"\n",
             kSalesColumns,
             "North,Jan,10,100.5,2024-01-05;North,Feb,,80,2024-02-01;South,Feb,7,70.25,"},
        Case{"FilterDateAndParam",
             "    from: sales\n    filter: \"day >= '2024-02-01' and region == params.region\"\n",
             kSalesColumns, "North,Feb,,80,2024-02-01;North,Mar,1,20,2024-03-02"},
        Case{"FilterIsNull", "    from: sales\n    filter: \"region == null or units < 2\"\n",
             kSalesColumns, ",Feb,3,,2024-02-11;North,Mar,1,20,2024-03-02"},
        // != is true for a null (null equals only null).
        Case{"FilterNotEqualKeepsNull", "    from: sales\n    filter: \"region != 'North'\"\n",
             kSalesColumns, "South,Jan,5,50,2024-01-09;,Feb,3,,2024-02-11;South,Feb,7,70.25,"},
        Case{"FilterNothingLeft", "    from: sales\n    filter: \"units > 100\"\n", kSalesColumns,
             ""},
        // Null in, null out; division by zero gives null; text + text joins.
        Case{"DeriveNullsAndDivisionByZero",
             "    from: sales\n    select: [region, per_unit, zero, big, label]\n"
             "    derive: {per_unit: \"revenue / units\", zero: \"units / 0\",\n"
             "             big: \"revenue > 60\", label: \"region + '-' + month\"}\n",
             "region:text,per_unit:float,zero:float,big:bool,label:text",
             "North,10.05,,true,North-Jan;South,10,,false,South-Jan;North,,,true,North-Feb;"
             ",,,false,;South,10.035714,,true,South-Feb;North,20,,false,North-Mar"},
        // A derived column replaces one of its name in place; later ones see it.
        Case{"DeriveReplacesInPlace",
             "    from: sales\n    filter: \"units > 4\"\n"
             "    derive: {units: \"units * 2\", next: \"units + 1\"}\n",
             "region:text,month:text,units:float,revenue:float,day:date,next:float",
             "North,Jan,20,100.5,2024-01-05,21;South,Jan,10,50,2024-01-09,11;"
             "South,Feb,14,70.25,,15"},
        Case{"EveryAggregateWithNullGroup",
             "    from: sales\n    group_by: [region]\n    aggregate:\n"
             "      n: count()\n      units_n: count(units)\n      total: sum(units)\n"
             "      rev: sum(revenue)\n      avg_rev: avg(revenue)\n      lo: min(revenue)\n"
             "      hi: max(day)\n      med: median(revenue)\n      p: p95(revenue)\n"
             "      months: count_distinct(month)\n      first_month: min(month)\n",
             "region:text,n:int,units_n:int,total:int,rev:float,avg_rev:float,lo:float,hi:date,"
             "med:float,p:float,months:int,first_month:text",
             "North,3,2,11,200.5,66.833333,20,2024-03-02,80,98.45,3,Feb;"
             "South,2,2,12,120.25,60.125,50,2024-01-09,60.125,69.2375,2,Feb;"
             ",1,1,3,,,,2024-02-11,,,1,Feb"},
        Case{"AggregateWithoutGroupOverNoRows",
             "    from: empty\n    aggregate: {n: count(), s: sum(revenue), u: sum(units),\n"
             "                a: avg(units), c: count_distinct(region), m: median(revenue)}\n",
             "n:int,s:float,u:int,a:float,c:int,m:float", "0,,,,0,"},
        Case{"GroupByOverNoRows",
             "    from: empty\n    group_by: [region]\n"
             "    aggregate: {n: count()}\n",
             "region:text,n:int", ""},
        Case{"GroupByTwoKeysFirstAppearance",
             "    from: sales\n    group_by: [month, region]\n    aggregate: {u: sum(units)}\n",
             "month:text,region:text,u:int",
             "Jan,North,10;Jan,South,5;Feb,North,;Feb,,3;Feb,South,7;Mar,North,1"},
        Case{"GroupByAloneIsDistinct", "    from: sales\n    group_by: [month]\n", "month:text",
             "Jan;Feb;Mar"},
        // Two targets match North/Jan; `targets.units` clashes and is left out.
        Case{"JoinInnerTwoKeys",
             "    from: sales\n    join: {with: targets, on: [region, month]}\n",
             "region:text,month:text,units:int,revenue:float,day:date,target:float",
             "North,Jan,10,100.5,2024-01-05,90;North,Jan,10,100.5,2024-01-05,95;"
             "South,Feb,7,70.25,,60"},
        // A null key matches nothing, not even a null.
        Case{"JoinLeftKeepsEveryRow",
             "    from: sales\n    join: {with: targets, on: [region, month], how: left}\n"
             "    select: [region, month, target]\n",
             "region:text,month:text,target:float",
             "North,Jan,90;North,Jan,95;South,Jan,;North,Feb,;,Feb,;South,Feb,60;North,Mar,"},
        Case{"JoinOneKeyThenAggregate",
             "    from: targets\n    join: {with: empty, on: [region], how: left}\n"
             "    group_by: [region]\n    aggregate: {t: sum(target), r: sum(revenue)}\n",
             "region:text,t:float,r:float", "North,185,;South,60,;West,10,;,1,"},
        // Repeated (index, column) cells are summed; no value is null.
        Case{"PivotSumsRepeats",
             "    from: targets\n    pivot: {index: region, columns: month, values: target}\n",
             "region:text,Jan:float,Feb:float", "North,185,;South,,60;West,10,;,,1"},
        // Rows with a null `columns` value are left out; ints stay ints.
        Case{"PivotIntsSkipsNullColumnValue",
             "    from: sales\n    pivot: {index: month, columns: region, values: units}\n",
             "month:text,North:int,South:int", "Jan,10,5;Feb,,7;Mar,1,"},
        Case{"PivotTextKeepsFirst",
             "    from: sales\n    pivot: {index: region, columns: month, values: day}\n",
             "region:text,Jan:date,Feb:date,Mar:date",
             "North,2024-01-05,2024-02-01,2024-03-02;South,2024-01-09,,;,,2024-02-11,"},
        Case{"SelectRenameInTurn",
             "    from: sales\n    select: [month, revenue]\n    rename: {revenue: rev, month: m}\n"
             "    limit: 2\n",
             "m:text,rev:float", "Jan,100.5;Jan,50"},
        // Stable, nulls last in both directions.
        Case{"SortDescendingNullsLast",
             "    from: sales\n    select: [units]\n    sort: [-units]\n", "units:int",
             "10;7;5;3;1;"},
        Case{"SortTwoKeysNullsLast",
             "    from: sales\n    select: [region, revenue]\n    sort: [region, -revenue]\n",
             "region:text,revenue:float", "North,100.5;North,80;North,20;South,70.25;South,50;,"},
        Case{"SortIsStable", "    from: sales\n    select: [month, region]\n    sort: [month]\n",
             "month:text,region:text", "Feb,North;Feb,;Feb,South;Jan,North;Jan,South;Mar,North"},
        // The rows past the limit in one "Other" row: numbers summed.
        Case{"LimitWithOther",
             "    from: sales\n    group_by: [region]\n"
             "    aggregate: {rev: sum(revenue), n: count(), last: max(day)}\n"
             "    sort: [-rev]\n    limit: 1\n    other: true\n",
             "region:text,rev:float,n:int,last:date", "North,200.5,3,2024-03-02;Other,120.25,3,"},
        Case{"LimitNotReachedHasNoOther",
             "    from: sales\n    group_by: [month]\n    aggregate: {u: sum(units)}\n"
             "    limit: 3\n    other: true\n",
             "month:text,u:int", "Jan,15;Feb,10;Mar,1"},
        // Every step, in the documented order.
        Case{"AllStepsInOrder",
             "    from: sales\n    join: {with: targets, on: [region, month], how: left}\n"
             "    filter: \"revenue > 10\"\n    derive: {gap: \"revenue - target\"}\n"
             "    group_by: [region]\n    aggregate: {gap: sum(gap), rows: count()}\n"
             "    select: [region, gap]\n    rename: {gap: shortfall}\n"
             "    sort: [shortfall]\n    limit: 1\n    other: true\n",
             "region:text,shortfall:float", "South,10.25;Other,16"}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// Validation and errors

TEST(TransformTest, FilterOnDerivedColumnFailsValidation) {
  const ParseResult parsed = ParseTemplate(std::string(kBase) +
                                           "    from: sales\n    filter: \"double > 4\"\n"
                                           "    derive: {double: \"units * 2\"}\n");
  const ValidationIssue* issue = test::FindIssue(parsed.issues, "ref.column");
  ASSERT_NE(issue, nullptr) << test::FormatIssues(parsed.issues);
  EXPECT_EQ(issue->path, "transforms.t.filter");
}

// A spec the validator never saw: errors show at run time, naming `t`.
StatusOr<Table> Apply(const TransformSpec& t, const std::function<bool()>& cancelled = {}) {
  ReportData data;
  data.tables["sales"] = test::TableOf("region:text,units:int", "North,1;South,2;North,3");
  return ApplyTransform(t, data, {}, cancelled);
}

TEST(TransformTest, RunTimeProblemsAreInvalidArgumentNamingTheTransform) {
  TransformSpec t;
  t.name = "t";
  t.from = "sales";
  std::vector<std::pair<std::string, TransformSpec>> cases;
  cases.emplace_back("sum needs a numeric column", t);
  cases.back().second.aggregate = {{"s", AggregateFunction::kSum, "region"}};
  cases.emplace_back("select: no column 'nope'", t);
  cases.back().second.select = {"nope"};
  cases.emplace_back("'in' needs a list", t);
  cases.back().second.filter = "units in 3";
  cases.emplace_back("two columns named 'region'", t);
  cases.back().second.rename = {{"units", "region"}};
  cases.emplace_back("pivot: no column 'month'", t);
  cases.back().second.pivot = PivotSpec{"region", "month", "units"};
  cases.emplace_back("derive 'x': the value is not", t);
  cases.back().second.derive = {{"x", "[1, 2]"}};
  for (const auto& [message, spec] : cases) {
    StatusOr<Table> result = Apply(spec);
    ASSERT_FALSE(result.ok()) << message;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << message;
    EXPECT_TRUE(Contains(result.status().message(), "transform 't'")) << result.status().message();
  }
}

TEST(TransformTest, CancelledAndMissingInput) {
  TransformSpec t;
  t.name = "t";
  t.from = "sales";
  t.group_by = {"region"};
  EXPECT_EQ(Apply(t, [] { return true; }).status().code(), StatusCode::kCancelled);
  t.from = "nowhere";
  EXPECT_EQ(Apply(t).status().code(), StatusCode::kFailedPrecondition);
}

// ---------------------------------------------------------------------------
// Shipped templates, unavailable inputs, and the pipeline

TEST(TransformTest, ShippedTemplatesProduceTheValidatorsColumns) {
  size_t checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(test::SourcePath("deploy/templates"))) {
    if (e.path().extension() != ".yaml") continue;
    const std::string file = e.path().filename().string();
    test::PreparedReport r = test::PrepareReport(test::ReadFile(e.path().string()));
    const Status s = RunTransforms(r.tmpl, r.params, &r.data);
    ASSERT_TRUE(s.ok()) << file << ": " << s.ToString();
    for (const TransformSpec& t : r.tmpl.transforms) {
      ASSERT_EQ(r.data.tables.count(t.name), 1u) << file << ": " << t.name;
      if (!t.columns_known) continue;
      EXPECT_EQ(ColumnsOf(r.data.tables.at(t.name)), ColumnsOf(t.columns))
          << file << ": " << t.name;
      ++checked;
    }
    if (file == "quality_events.yaml") {
      EXPECT_EQ(RowsOf(r.data.tables.at("by_site")), "Lyon,5,4.2,4;Gdansk,5,5,4;Porto,4,6,5");
    }
  }
  EXPECT_GT(checked, 0u);
}

// Transforms over an optional source without data, directly or through
// another transform or a join, have no table and read as unavailable; a
// missing table of a transform whose inputs have data is a bug.
TEST(TransformTest, UnavailableInputsGiveNoTableAndFindTableTellsThemApart) {
  test::PreparedReport r = test::PrepareReport(R"(id: opt
title: T
sources:
)" + test::UnavailableSourceYaml("remote") + R"(  s:
    kind: inline
    columns: [{name: k, type: text}, {name: v, type: float}]
    rows: [[a, 1], [b, 2], [a, 3]]
transforms:
  by_k: {from: remote, group_by: [k], aggregate: {v: sum(v)}}
  top: {from: by_k, sort: [-v]}
  joined: {from: s, join: {with: remote, on: [k]}}
  local: {from: s, group_by: [k], aggregate: {v: sum(v)}}
sections:
  - table: {source: top}
)");
  const Status s = RunTransforms(r.tmpl, r.params, &r.data);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(
      r.data.tables.count("by_k") + r.data.tables.count("top") + r.data.tables.count("joined"), 0u);
  ASSERT_EQ(r.data.tables.count("local"), 1u);
  EXPECT_EQ(RowsOf(r.data.tables.at("local")), "a,4;b,2");

  SectionScope scope;
  scope.tmpl = &r.tmpl;
  scope.placeholders.params = &r.params;
  scope.placeholders.data = &r.data;
  for (const char* name : {"remote", "by_k", "top", "joined"}) {
    StatusOr<const Table*> t = scope.FindTable(name);
    ASSERT_TRUE(t.ok()) << name << ": " << t.status().ToString();
    EXPECT_EQ(*t, nullptr) << name;
  }
  StatusOr<const Table*> local = scope.FindTable("local");
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_NE(*local, nullptr);
  r.data.tables.erase("local");
  local = scope.FindTable("local");
  EXPECT_EQ(local.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(local.status().message(), "'local'")) << local.status().message();
}

// A transform feeding a table and a chart, through every stage.
TEST(TransformTest, PipelineRendersAggregatedFigures) {
  constexpr char kYaml[] = R"(id: regions
title: "Regions"
sources:
  sales:
    kind: inline
    columns: [{name: region, type: text}, {name: revenue, type: float}, {name: units, type: int}]
    rows: [[North, 100, 1], [South, 50, 2], [North, 25.5, 3], [East, 10, 4], [South, 7, 5]]
transforms:
  by_region:
    from: sales
    group_by: [region]
    aggregate: {total: sum(revenue), units: sum(units)}
    sort: [-total]
    limit: 2
    other: true
sections:
  - table: {source: by_region, title: "Revenue by region"}
  - chart: {type: bar, source: by_region, x: region, y: [total], title: "Totals chart"}
outputs: [pdf]
)";
  test::TempDir dir;
  JobContext ctx;
  ctx.job_id = "local";
  ctx.spec.inline_template = kYaml;
  ctx.output_dir = dir.path();
  std::string text;
  Pipeline pipeline([&](JobContext& c) -> Status {
    const std::string pdf = c.output_dir + "/report.pdf";
    // One line per table row; runs of blanks as one space.
    const std::string layout =
        test::RunCommand("pdftotext -layout '" + pdf + "' - 2>/dev/null").output;
    for (char ch : layout) {
      if (ch != ' ' || text.empty() || text.back() != ' ') text += ch;
    }
    return Status::OK();
  });
  class Sink final : public ProgressSink {
   public:
    Status Report(Stage, int) override { return Status::OK(); }
    bool StopRequested() const override { return false; }
  } sink;
  const Status s = pipeline.Run(ctx, sink);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(test::ContainsAll(
      text, {"Revenue by region", "North 125.5 4", "South 57 7", "Other 10 4", "Totals chart"}));
  EXPECT_TRUE(test::ContainsNone(text, {"Data unavailable"}));
}

}  // namespace
}  // namespace quire
