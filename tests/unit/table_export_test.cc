// Tests of the CSV and JSON table exports: RFC 4180 quoting, exact values,
// nulls, UTF-8; JSON types read back with nlohmann; the per-report files
// (section order, `when:`, for_each, unavailable data) and the render stage
// that writes them.
#include "report/render/table_export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "report/pipeline/pipeline.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test::ReadFile;
using test::TempDir;

// Text with commas, quotes, line breaks, accents and CJK; numbers needing
// every digit; nulls and a NaN.
Table TrickyTable() {
  Table t;
  Column* name = t.AddColumn("name", ColumnType::kText);
  Column* amount = t.AddColumn("amount", ColumnType::kFloat);
  Column* count = t.AddColumn("count", ColumnType::kInt);
  Column* day = t.AddColumn("day", ColumnType::kDate);
  Column* ok = t.AddColumn("ok", ColumnType::kBool);
  name->AppendText("Smith, John");
  amount->AppendFloat(120.5);
  count->AppendInt(-42);
  day->AppendDate(*ParseDate("2024-02-29"));
  ok->AppendBool(true);

  name->AppendText("say \"hi\"\nthere");
  amount->AppendFloat(0.1 + 0.2);
  count->AppendInt(9007199254740993);  // beyond a double's exact integers
  day->AppendNull();
  ok->AppendBool(false);

  name->AppendText("Zoë — 東京");
  amount->AppendFloat(std::numeric_limits<double>::quiet_NaN());
  count->AppendNull();
  day->AppendDate(0);
  ok->AppendNull();

  name->AppendNull();
  amount->AppendNull();
  count->AppendInt(0);
  day->AppendDate(-1);
  ok->AppendBool(true);
  return t;
}

TEST(WriteTableCsvTest, QuotesAndExactValues) {
  TempDir dir;
  const std::string path = dir.File("t.csv");
  ASSERT_TRUE(WriteTableCsv(TrickyTable(), {}, path).ok());
  EXPECT_FALSE(test::PartialLeft(path));
  EXPECT_EQ(ReadFile(path),
            "name,amount,count,day,ok\r\n"
            "\"Smith, John\",120.5,-42,2024-02-29,true\r\n"
            "\"say \"\"hi\"\"\nthere\",0.30000000000000004,9007199254740993,,false\r\n"
            "Zoë — 東京,,,1970-01-01,\r\n"
            ",,0,1969-12-31,true\r\n");
}

TEST(WriteTableCsvTest, SelectedColumnsInOrderUnderTheirLabels) {
  TempDir dir;
  const std::string path = dir.File("t.csv");
  ASSERT_TRUE(WriteTableCsv(TrickyTable(),
                            {{"ok", "", "", 0}, {"amount", "Amount, EUR", "#,##0.00", 0}}, path)
                  .ok());
  // Labels quoted like any field; the display format is not applied.
  EXPECT_EQ(ReadFile(path),
            "ok,\"Amount, EUR\"\r\n"
            "true,120.5\r\n"
            "false,0.30000000000000004\r\n"
            ",\r\n"
            "true,\r\n");
}

TEST(WriteTableCsvTest, Errors) {
  TempDir dir;
  Status missing = WriteTableCsv(TrickyTable(), {{"nope", "", "", 0}}, dir.File("t.csv"));
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("nope"), std::string::npos) << missing.message();
  EXPECT_FALSE(fs::exists(dir.File("t.csv")));

  Status unwritable = WriteTableCsv(TrickyTable(), {}, "/nonexistent-dir/t.csv");
  EXPECT_EQ(unwritable.code(), StatusCode::kInternal) << unwritable.ToString();
}

TEST(WriteTableJsonTest, TypesAndNulls) {
  TempDir dir;
  const std::string path = dir.File("t.json");
  ASSERT_TRUE(WriteTableJson(TrickyTable(), {}, path).ok());
  const json rows = json::parse(ReadFile(path), nullptr, false);
  ASSERT_TRUE(rows.is_array()) << ReadFile(path);
  ASSERT_EQ(rows.size(), 4u);

  EXPECT_EQ(rows[0], json::parse(R"({"name": "Smith, John", "amount": 120.5, "count": -42,
                                     "day": "2024-02-29", "ok": true})"));
  // Keys in column order (nlohmann::json sorts them: look at the text).
  EXPECT_LT(ReadFile(path).find("\"name\""), ReadFile(path).find("\"amount\""));

  EXPECT_TRUE(rows[1]["amount"].is_number_float());
  EXPECT_EQ(rows[1]["amount"].get<double>(), 0.1 + 0.2);  // exact
  EXPECT_TRUE(rows[1]["count"].is_number_integer());
  EXPECT_EQ(rows[1]["count"].get<int64_t>(), 9007199254740993);
  EXPECT_EQ(rows[1]["name"], "say \"hi\"\nthere");
  EXPECT_TRUE(rows[1]["day"].is_null());
  EXPECT_EQ(rows[1]["ok"], false);

  EXPECT_EQ(rows[2]["name"], "Zoë — 東京");
  EXPECT_TRUE(rows[2]["amount"].is_null());  // NaN
  EXPECT_TRUE(rows[2]["count"].is_null());
  EXPECT_TRUE(rows[2]["ok"].is_null());
  EXPECT_TRUE(rows[3]["name"].is_null());
  EXPECT_EQ(rows[3]["day"], "1969-12-31");
}

TEST(WriteTableJsonTest, EmptyTableAndSelectedColumns) {
  TempDir dir;
  Table empty;
  empty.AddColumn("a", ColumnType::kInt);
  ASSERT_TRUE(WriteTableJson(empty, {}, dir.File("e.json")).ok());
  EXPECT_EQ(json::parse(ReadFile(dir.File("e.json"))), json::array());

  ASSERT_TRUE(
      WriteTableJson(TrickyTable(), {{"count", "Count label", "", 0}}, dir.File("c.json")).ok());
  const json rows = json::parse(ReadFile(dir.File("c.json")));
  EXPECT_EQ(rows[0], json({{"count", -42}}));  // keyed by name, not label
}

TEST(WriteTableJsonTest, InvalidUtf8IsReplacedNotFatal) {
  TempDir dir;
  Table t;
  t.AddColumn("s", ColumnType::kText)->AppendText("bad \xff byte");
  ASSERT_TRUE(WriteTableJson(t, {}, dir.File("u.json")).ok());
  const json rows = json::parse(ReadFile(dir.File("u.json")));
  EXPECT_EQ(rows[0]["s"], "bad \xEF\xBF\xBD byte");
}

// A table shown or hidden by a parameter, one over a source without data
// (`extra`) and a for_each block.
std::string ExportsTemplate() {
  return R"(id: exports
title: Exports
parameters:
  - {name: more, type: bool, default: false}
sources:
  sales:
    kind: inline
    columns: [{name: region, type: text}, {name: amount, type: int}]
    rows: [[North, 1], [South, 2], [North, 3]]
)" + test::UnavailableSourceYaml("extra") +
         R"(sections:
  - table: {source: sales, columns: [{name: amount, label: "Amount"}]}
  - table: {source: sales}
    when: "params.more"
  - table: {source: extra}
  - for_each: region
    source: sales
    sections:
      - table: {source: sales}
)";
}

TEST(WriteTableExportsTest, OneFilePerShownTableInSectionOrder) {
  test::PreparedReport p = test::PrepareReport(ExportsTemplate());
  TempDir dir;
  StatusOr<std::vector<std::string>> written =
      WriteTableExports(p.tmpl, p.params, p.data, dir.path(), {true, true});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  // table1: sales; the hidden one is skipped; table2: extra, counted but
  // without data; table3, table4: the for_each groups North and South.
  EXPECT_EQ(*written, (std::vector<std::string>{dir.File("table1.csv"), dir.File("table1.json"),
                                                dir.File("table3.csv"), dir.File("table3.json"),
                                                dir.File("table4.csv"), dir.File("table4.json")}));
  EXPECT_EQ(ReadFile(dir.File("table1.csv")), "Amount\r\n1\r\n2\r\n3\r\n");
  EXPECT_EQ(ReadFile(dir.File("table3.csv")), "region,amount\r\nNorth,1\r\nNorth,3\r\n");
  EXPECT_EQ(json::parse(ReadFile(dir.File("table4.json"))),
            json::parse(R"([{"region": "South", "amount": 2}])"));
  EXPECT_FALSE(fs::exists(dir.File("table2.csv")));

  TempDir shown;
  test::PreparedReport more = test::PrepareReport(ExportsTemplate(), {{"more", "true"}});
  written = WriteTableExports(more.tmpl, more.params, more.data, shown.path(), {true, false});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->size(), 4u);  // table1, table2 (the shown one), table4, table5
  EXPECT_EQ(ReadFile(shown.File("table2.csv")),
            "region,amount\r\nNorth,1\r\nSouth,2\r\nNorth,3\r\n");
  EXPECT_FALSE(fs::exists(shown.File("table1.json")));
}

TEST(WriteTableExportsTest, MissingRequiredSourceAndCancel) {
  test::PreparedReport p = test::PrepareReport(ExportsTemplate());
  TempDir dir;
  ReportData none;
  StatusOr<std::vector<std::string>> missing =
      WriteTableExports(p.tmpl, p.params, none, dir.path(), {true, true});
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);

  StatusOr<std::vector<std::string>> cancelled =
      WriteTableExports(p.tmpl, p.params, p.data, dir.path(), {true, true}, [] { return true; });
  EXPECT_EQ(cancelled.status().code(), StatusCode::kCancelled);
}

TEST(RenderStageTest, WritesXlsxCsvAndJson) {
  test::PreparedReport p = test::PrepareReport(ExportsTemplate());
  TempDir dir;
  JobContext ctx;
  ctx.resolved.tmpl = p.tmpl;
  ctx.resolved.params = p.params;
  ctx.resolved.outputs = {"xlsx", "csv", "json"};
  ctx.data = p.data;
  ctx.output_dir = dir.path();
  Status s = MakeRenderStage()->Run(ctx);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ctx.outputs_written,
            (std::vector<std::string>{dir.File("report.xlsx"), dir.File("table1.csv"),
                                      dir.File("table1.json"), dir.File("table3.csv"),
                                      dir.File("table3.json"), dir.File("table4.csv"),
                                      dir.File("table4.json")}));
  for (const std::string& f : ctx.outputs_written) EXPECT_TRUE(fs::exists(f)) << f;
  EXPECT_EQ(ReadFile(dir.File("report.xlsx")).substr(0, 2), "PK");  // a zip

  ctx.resolved.outputs = {"docx"};
  EXPECT_EQ(MakeRenderStage()->Run(ctx).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace quire
