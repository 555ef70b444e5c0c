// Tests of the XLSX renderer. Workbooks are read back from the outside:
// with python3 + openpyxl (sheets, typed cells, number formats, panes,
// filters, merges, charts per sheet, print setup, properties) and by
// unzipping the chart parts (chart type elements, series ranges, colours).
// The openpyxl checks are skipped only when no python3 can import it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/table/table.h"
#include "common/template/template.h"
#include "report/render/xlsx_renderer.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::Contains;
using test::ContainsAll;
using test::ContainsNone;
using test::PrepareReport;
using test::RunCommand;
using test::TempDir;

// A python3 that can import openpyxl ("" when there is none). A pyenv
// python3 first on PATH may lack the Debian package, so try the system one.
const std::string& Python() {
  static const std::string python = [] {
    for (const char* candidate : {"python3", "/usr/bin/python3"}) {
      const std::string probe =
          std::string(candidate) + " -c 'import openpyxl; print(\"ok\")' 2>/dev/null";
      if (RunCommand(probe).output == "ok\n") return std::string(candidate);
    }
    return std::string();
  }();
  return python;
}

// What openpyxl and zipfile see in a workbook, as JSON:
//   sheets: names in order; props: title, creator, subject, created;
//   per sheet: cells {A1: {type, value, format, bold, fill}}, cached (the
//   values of formula cells), freeze, filter, merged, charts, print_rows,
//   footer, widths;
//   charts_xml: {"xl/charts/chart1.xml": text, ...}.
constexpr const char* kInspectScript = R"PY(
import datetime, json, sys, zipfile, openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path)
values = openpyxl.load_workbook(path, data_only=True)
p = wb.properties
out = {"sheets": wb.sheetnames,
       "props": {"title": p.title, "creator": p.creator, "subject": p.subject,
                 "created": str(p.created)}}
for ws in wb.worksheets:
    cells, cached = {}, {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None:
                continue
            v = c.value
            if not isinstance(v, (bool, int, float, str)):
                v = str(v)
            cells[c.coordinate] = {"type": type(c.value).__name__, "value": v,
                                   "format": c.number_format, "bold": bool(c.font.b),
                                   "fill": str(c.fill.fgColor.rgb) if c.fill.fill_type else ""}
            if c.data_type == "f":
                cached[c.coordinate] = values[ws.title][c.coordinate].value
    out[ws.title] = {
        "cells": cells, "cached": cached, "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "charts": len(ws._charts), "print_rows": ws.print_title_rows,
        "footer": ws.oddFooter.center.text,
        "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth}}
z = zipfile.ZipFile(path)
out["charts_xml"] = {n: z.read(n).decode("utf-8") for n in z.namelist()
                     if n.startswith("xl/charts/chart")}
print(json.dumps(out))
)PY";

json Inspect(const std::string& xlsx, const std::string& dir) {
  const std::string script = dir + "/quire_inspect_xlsx.py";  // not inspect.py: a stdlib name
  std::ofstream(script) << kInspectScript;
  const std::string out = RunCommand(Python() + " '" + script + "' '" + xlsx + "' 2>&1").output;
  json j = json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << out;
  return j.is_discarded() ? json::object() : j;
}

// Renders `r` into `dir` as `name` and reads the workbook back; an empty
// object, after a test failure, when it does not render.
json RenderAndInspect(const test::PreparedReport& r, const TempDir& dir,
                      const std::string& name = "report.xlsx") {
  const std::string path = dir.File(name);
  const Status s = RenderXlsx(r.tmpl, r.params, r.data, path);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok() ? Inspect(path, dir.path()) : json::object();
}

// The chart part whose title is `title`; "" when there is none.
std::string ChartXml(const json& book, const std::string& title) {
  const json charts = book.value("charts_xml", json::object());
  for (const auto& [name, xml] : charts.items()) {
    const std::string text = xml.get<std::string>();
    if (text.find("<a:t>" + title + "</a:t>") != std::string::npos) return text;
  }
  return "";
}

// Every kind of section over typed inline data, a hidden table, an
// optional source without data (`extra`) and a for_each block.
std::string SalesTemplate() {
  return R"(id: xlsx_demo
title: "Sales {{ params.year }} — {{ params.region }}"
description: "Monthly sales for the board."
owner: "sales-ops@example.com"
page: {size: Letter, orientation: landscape}
parameters:
  - {name: region, type: enum, values: [North, South], default: North}
  - {name: year, type: int, default: 2024}
  - {name: start, type: date, default: "2024-01-01"}
  - {name: details, type: bool, default: false}
sources:
  sales:
    kind: inline
    columns:
      - {name: month, type: text}
      - {name: revenue, type: float}
      - {name: units, type: int}
      - {name: share, type: float}
      - {name: day, type: date}
      - {name: ok, type: bool}
    rows:
      - [Jan, 1200.5, 10, 0.25, "2024-01-31", true]
      - [Feb, 980, 8, 0.5, "2024-02-29", false]
      - [Mar, ~, 12, 0.25, ~, ~]
      - [Apr, 1500.25, 15, ~, "2024-04-30", true]
  sites:
    kind: inline
    columns: [{name: site, type: text}, {name: amount, type: int}]
    rows: [[Lyon, 5], [Porto, 7], [Lyon, 11]]
  deals:
    kind: inline
    columns: [{name: size, type: float}, {name: discount, type: float}]
    rows: [[1, 0.1], [2, 0.2], [3, 0.15], [4, 0.3], [10, 0.05], [7, 0.2]]
)" + test::UnavailableSourceYaml("extra") +
         R"(sections:
  - heading: "Overview for {{ params.region }}"
  - text: "Revenue is **up** this *year*, in {{ params.region }}."
  - kpi: {label: "Revenue", source: sales, column: revenue, aggregate: sum, format: "#,##0.00",
          delta: "+4% vs last year"}
  - kpi: {label: "Region", value: "{{ params.region }}"}
  - table:
      source: sales
      title: "Monthly sales: [draft] Q1/Q2?"
      columns:
        - {name: month, label: "Month"}
        - {name: revenue, label: "Revenue", format: "#,##0.00", width: 90}
        - {name: units, label: "Units"}
        - {name: share, label: "Share", format: "0.0%"}
        - {name: day, label: "Day", format: "%d %b %Y"}
        - {name: ok, label: "OK"}
      totals: true
  - table: {source: sales, title: "Hidden details"}
    when: "params.details"
  - chart:
      type: bar
      source: sales
      x: month
      y: [revenue, units]
      title: "Revenue by month"
      x_axis_title: "Month"
      y_axis_title: "EUR"
      colors: ["#112233", "#445566"]
      legend: top
  - chart: {type: bar, source: sales, x: month, y: [revenue, units], title: "Sideways",
            horizontal: true, stacked: true, show_legend: false, x_axis_title: "Months",
            y_axis_title: "Amount"}
  - chart: {type: line, source: sales, x: day, y: [units], title: "Units over time", markers: true}
  - chart: {type: area, source: sales, x: month, y: [revenue, units], title: "Area mix",
            stacked: true}
  - chart: {type: pie, source: sales, x: month, y: [units], title: "Units share"}
  - chart: {type: pie, source: sales, x: month, y: [units], title: "Donut", donut: 0.5,
            labels: false}
  - chart: {type: scatter, source: deals, x: size, y: [discount], title: "Deals"}
  - chart: {type: histogram, source: deals, x: size, bins: 3, title: "Deal sizes"}
  - table: {source: extra, title: "Extra figures"}
  - chart: {type: bar, source: extra, x: k, y: [v], title: "Extra chart"}
  - for_each: site
    source: sites
    sections:
      - heading: "Site {{ group }}"
      - table: {source: sites, totals: true}
outputs: [xlsx]
)";
}

class XlsxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Python().empty()) GTEST_SKIP() << "no python3 with openpyxl";
  }
};

TEST_F(XlsxTest, SheetsPropertiesAndSummary) {
  test::PreparedReport r = PrepareReport(SalesTemplate());
  TempDir dir;
  json book = RenderAndInspect(r, dir);
  EXPECT_FALSE(test::PartialLeft(dir.File("report.xlsx")));
  ASSERT_TRUE(book.contains("sheets"));

  // The hidden table has no sheet; the optional source none either; the
  // for_each block gives one sheet per site, named after the group.
  EXPECT_EQ(book["sheets"], json({"Report", "Monthly sales- (draft) Q1-Q2-", "sites Lyon",
                                  "sites Porto", "ChartData", "Charts"}));
  EXPECT_EQ(book["props"]["title"], "Sales 2024 — North");
  EXPECT_EQ(book["props"]["creator"], "sales-ops@example.com");
  EXPECT_EQ(book["props"]["subject"], "Monthly sales for the board.");

  json& report = book["Report"];
  json& cells = report["cells"];
  EXPECT_EQ(cells["A1"]["value"], "Sales 2024 — North");
  EXPECT_TRUE(cells["A1"]["bold"].get<bool>());
  // Parameters: a Name/Value list, typed.
  EXPECT_EQ(cells["A3"]["value"], "Name");
  EXPECT_EQ(cells["B3"]["value"], "Value");
  EXPECT_EQ(cells["A4"]["value"], "region");
  EXPECT_EQ(cells["B4"]["value"], "North");
  EXPECT_EQ(cells["A5"]["value"], "year");
  EXPECT_EQ(cells["B5"]["value"], 2024);
  EXPECT_EQ(cells["B6"]["type"], "datetime");
  EXPECT_EQ(cells["B6"]["value"], "2024-01-01 00:00:00");
  EXPECT_EQ(cells["B7"]["type"], "bool");

  // Sections in order from row 9.
  EXPECT_EQ(cells["A9"]["value"], "Overview for North");
  EXPECT_TRUE(cells["A9"]["bold"].get<bool>());
  EXPECT_EQ(cells["A10"]["value"], "Revenue is up this year, in North.");  // emphasis as rich text
  EXPECT_NE(std::find(report["merged"].begin(), report["merged"].end(), "A10:F10"),
            report["merged"].end())
      << report["merged"];
  EXPECT_EQ(cells["A11"]["value"], "Revenue");
  EXPECT_DOUBLE_EQ(cells["B11"]["value"].get<double>(), 3680.75);
  EXPECT_EQ(cells["B11"]["format"], "#,##0.00");
  EXPECT_EQ(cells["C11"]["value"], "+4% vs last year");
  EXPECT_EQ(cells["B12"]["value"], "North");
  EXPECT_EQ(cells["A13"]["value"], "Table: Monthly sales: [draft] Q1/Q2?");
  EXPECT_EQ(cells["A14"]["value"], "Chart: Revenue by month");

  // Unavailable data: a note where the table and the chart would be.
  std::string all;
  for (const auto& [cell, v] : cells.items()) {
    if (v["value"].is_string()) all += v["value"].get<std::string>() + "\n";
  }
  EXPECT_TRUE(ContainsAll(
      all, {"Extra figures\nData unavailable: 'extra' has no data in this run.",
            "Extra chart\nData unavailable: 'extra' has no data in this run.", "Site Lyon",
            "Site Porto", "Table: sites Lyon"}));  // links to the group sheets
  EXPECT_TRUE(ContainsNone(all, {"Hidden details", "{{"}));
  EXPECT_EQ(report["footer"], "Page &P of &N");
}

TEST_F(XlsxTest, TableSheetIsTypedFormattedFilteredAndTotalled) {
  test::PreparedReport r = PrepareReport(SalesTemplate());
  TempDir dir;
  json book = RenderAndInspect(r, dir);
  ASSERT_TRUE(book.contains("sheets"));
  json& sheet = book["Monthly sales- (draft) Q1-Q2-"];
  json& cells = sheet["cells"];

  // Header: labels, bold on grey.
  for (const char* cell : {"A1", "B1", "C1", "D1", "E1", "F1"}) {
    EXPECT_TRUE(cells[cell]["bold"].get<bool>()) << cell;
    EXPECT_EQ(cells[cell]["fill"], "FFD9D9D9") << cell;
  }
  EXPECT_EQ(cells["B1"]["value"], "Revenue");
  // Typed values in Excel formats.
  EXPECT_EQ(cells["A2"]["value"], "Jan");
  EXPECT_EQ(cells["B2"]["type"], "float");
  EXPECT_DOUBLE_EQ(cells["B2"]["value"].get<double>(), 1200.5);
  EXPECT_EQ(cells["B2"]["format"], "#,##0.00");
  EXPECT_EQ(cells["C2"]["type"], "int");
  EXPECT_EQ(cells["C2"]["value"], 10);
  EXPECT_EQ(cells["D2"]["format"], "0.0%");
  EXPECT_DOUBLE_EQ(cells["D2"]["value"].get<double>(), 0.25);
  EXPECT_EQ(cells["E2"]["type"], "datetime");
  EXPECT_EQ(cells["E2"]["value"], "2024-01-31 00:00:00");
  EXPECT_EQ(cells["E2"]["format"], "dd mmm yyyy");
  EXPECT_EQ(cells["E3"]["value"], "2024-02-29 00:00:00");
  EXPECT_EQ(cells["F2"]["type"], "bool");
  EXPECT_EQ(cells["F2"]["value"], true);
  EXPECT_EQ(cells["F3"]["value"], false);
  // Nulls are empty cells.
  EXPECT_FALSE(cells.contains("B4"));
  EXPECT_FALSE(cells.contains("E4"));
  EXPECT_FALSE(cells.contains("D5"));

  // Totals: "Total", SUM formulas with cached values, none for a rate.
  EXPECT_EQ(cells["A6"]["value"], "Total");
  EXPECT_EQ(cells["B6"]["value"], "=SUM(B2:B5)");
  EXPECT_EQ(cells["B6"]["format"], "#,##0.00");
  EXPECT_TRUE(cells["B6"]["bold"].get<bool>());
  EXPECT_DOUBLE_EQ(sheet["cached"]["B6"].get<double>(), 3680.75);
  EXPECT_EQ(cells["C6"]["value"], "=SUM(C2:C5)");
  EXPECT_EQ(sheet["cached"]["C6"], 45);
  EXPECT_FALSE(cells.contains("D6"));

  EXPECT_EQ(sheet["freeze"], "A2");
  EXPECT_EQ(sheet["filter"], "A1:F5");
  EXPECT_EQ(sheet["print_rows"], "$1:$1");
  EXPECT_EQ(sheet["footer"], "Page &P of &N");
  // Widths: 90 pt -> 16.4 characters; the others from the content.
  EXPECT_NEAR(sheet["widths"]["B"].get<double>(), 16.4, 0.8);
  EXPECT_GE(sheet["widths"]["E"].get<double>(), 11);  // "31 Jan 2024"
  EXPECT_EQ(sheet["charts"], 0);

  // for_each: the group's rows only, totalled.
  json& lyon = book["sites Lyon"]["cells"];
  EXPECT_EQ(lyon["A2"]["value"], "Lyon");
  EXPECT_EQ(lyon["A3"]["value"], "Lyon");
  EXPECT_EQ(lyon["A4"]["value"], "Total");
  EXPECT_EQ(book["sites Lyon"]["cached"]["B4"], 16);
  EXPECT_EQ(book["sites Porto"]["cached"]["B3"], 7);
}

TEST_F(XlsxTest, NativeChartsOverChartData) {
  test::PreparedReport r = PrepareReport(SalesTemplate());
  TempDir dir;
  json book = RenderAndInspect(r, dir);
  ASSERT_TRUE(book.contains("sheets"));
  EXPECT_EQ(book["Charts"]["charts"], 8);
  EXPECT_EQ(book["charts_xml"].size(), 8u);

  // ChartData: one block per chart, a blank column between blocks.
  json& data = book["ChartData"]["cells"];
  EXPECT_EQ(data["A1"]["value"], "month");
  EXPECT_EQ(data["B1"]["value"], "revenue");
  EXPECT_EQ(data["C1"]["value"], "units");
  EXPECT_EQ(data["A2"]["value"], "Jan");
  EXPECT_DOUBLE_EQ(data["B2"]["value"].get<double>(), 1200.5);
  EXPECT_FALSE(data.contains("B4"));  // a null stays a gap
  EXPECT_FALSE(data.contains("D1"));
  EXPECT_EQ(data["E1"]["value"], "month");  // block 2

  const std::string bar = ChartXml(book, "Revenue by month");
  ASSERT_FALSE(bar.empty());
  EXPECT_TRUE(
      ContainsAll(bar, {"<c:barChart>", "<c:barDir val=\"col\"/>", "<c:f>ChartData!$A$2:$A$5</c:f>",
                        "<c:f>ChartData!$B$2:$B$5</c:f>", "<c:f>ChartData!$C$2:$C$5</c:f>",
                        "<c:f>ChartData!$B$1</c:f>",  // series name
                        "<a:srgbClr val=\"112233\"/>", "<a:srgbClr val=\"445566\"/>",
                        "<a:t>Month</a:t>", "<a:t>EUR</a:t>", "<c:legendPos val=\"t\"/>"}));

  const std::string sideways = ChartXml(book, "Sideways");
  EXPECT_TRUE(ContainsAll(sideways, {"<c:barDir val=\"bar\"/>", "<c:grouping val=\"stacked\"/>"}));
  EXPECT_TRUE(ContainsNone(sideways, {"<c:legend>"}));
  // The x axis title names the category axis, vertical here.
  const size_t cat_axis = sideways.find("<c:catAx>");
  const size_t val_axis = sideways.find("<c:valAx>");
  ASSERT_NE(cat_axis, std::string::npos);
  ASSERT_NE(val_axis, std::string::npos);
  EXPECT_TRUE(ContainsAll(sideways.substr(cat_axis, val_axis - cat_axis), {"<a:t>Months</a:t>"}));
  EXPECT_TRUE(ContainsAll(sideways.substr(val_axis), {"<a:t>Amount</a:t>"}));
  // Theme palette (Tableau 10) when the spec names no colours.
  EXPECT_TRUE(
      ContainsAll(sideways, {"<a:srgbClr val=\"4E79A7\"/>", "<a:srgbClr val=\"F28E2B\"/>"}));

  // A date x: rows sorted by date, the null one dropped (as the PDF draws
  // it), labelled as dates.
  EXPECT_TRUE(
      ContainsAll(ChartXml(book, "Units over time"),
                  {"<c:lineChart>", "<c:symbol val=\"circle\"/>", "<c:f>ChartData!$I$2:$I$4</c:f>",
                   "<c:numFmt formatCode=\"yyyy-mm-dd\" sourceLinked=\"0\"/>"}));
  EXPECT_EQ(data["I2"]["type"], "datetime");

  EXPECT_TRUE(
      ContainsAll(ChartXml(book, "Area mix"), {"<c:areaChart>", "<c:grouping val=\"stacked\"/>"}));

  const std::string pie = ChartXml(book, "Units share");
  EXPECT_TRUE(ContainsAll(pie, {"<c:pieChart>", "<c:showPercent val=\"1\"/>"}));
  EXPECT_TRUE(ContainsNone(pie, {"<c:catAx>"}));

  const std::string donut = ChartXml(book, "Donut");
  EXPECT_TRUE(ContainsAll(donut, {"<c:doughnutChart>", "<c:holeSize val=\"50\"/>"}));
  EXPECT_TRUE(ContainsNone(donut, {"<c:showPercent val=\"1\"/>"}));

  EXPECT_TRUE(ContainsAll(ChartXml(book, "Deals"), {"<c:scatterChart>", "<c:xVal>"}));

  EXPECT_TRUE(
      ContainsAll(ChartXml(book, "Deal sizes"), {"<c:barChart>", "<c:gapWidth val=\"0\"/>"}));
  // Its block holds ComputeHistogramBins' labels and counts: 3 bins over 1..10.
  bool found = false;
  for (const auto& [cell, v] : data.items()) {
    if (v["value"] == "1\u20134") {
      found = true;
      const std::string col = cell.substr(0, cell.find_first_of("0123456789"));
      EXPECT_EQ(cell, col + "2");
    }
  }
  EXPECT_TRUE(found) << data;
}

TEST(XlsxErrorTest, MissingRequiredSourceIsFailedPrecondition) {
  test::PreparedReport r = PrepareReport(SalesTemplate());
  r.data.tables.erase("sales");
  TempDir dir;
  const std::string path = dir.File("report.xlsx");
  Status s = RenderXlsx(r.tmpl, r.params, r.data, path);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "sales")) << s.message();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(test::PartialLeft(path));
}

TEST(XlsxErrorTest, ChartColumnMissingFromDataIsInvalidArgument) {
  test::PreparedReport r = PrepareReport(SalesTemplate());
  Table deals;
  deals.AddColumn("size", ColumnType::kFloat)->AppendFloat(1);  // no "discount"
  r.data.tables["deals"] = std::move(deals);
  TempDir dir;
  Status s = RenderXlsx(r.tmpl, r.params, r.data, dir.File("report.xlsx"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "discount")) << s.message();
}

TEST(XlsxErrorTest, CancelStopsAndLeavesNoFile) {
  test::PreparedReport r = PrepareReport(SalesTemplate());
  TempDir dir;
  const std::string path = dir.File("report.xlsx");
  for (int allowed : {0, 3, 12}) {
    int calls = 0;
    Status s = RenderXlsx(r.tmpl, r.params, r.data, path, [&] { return calls++ >= allowed; });
    EXPECT_EQ(s.code(), StatusCode::kCancelled) << allowed << ": " << s.ToString();
    EXPECT_FALSE(fs::exists(path)) << allowed;
    EXPECT_FALSE(test::PartialLeft(path)) << allowed;
  }
}

TEST(XlsxErrorTest, CancelIsCheckedInsideALongTable) {
  test::PreparedReport r = PrepareReport(R"(id: big
title: Big
sources:
  n: {kind: inline, columns: [{name: v, type: int}], rows: [[1]]}
sections:
  - table: {source: n}
)");
  Table big;
  Column* v = big.AddColumn("v", ColumnType::kInt);
  for (int i = 0; i < 5000; ++i) v->AppendInt(i);
  r.data.tables["n"] = std::move(big);
  TempDir dir;
  const std::string path = dir.File("big.xlsx");
  // One section: the checks beyond one per section are the row checks.
  int calls = 0;
  ASSERT_TRUE(RenderXlsx(r.tmpl, r.params, r.data, path, [&] { return ++calls < 0; }).ok());
  EXPECT_GE(calls, 5);
  // Cancelled while the rows are written (the first call is the section's).
  calls = 0;
  Status s = RenderXlsx(r.tmpl, r.params, r.data, path, [&] { return ++calls > 2; });
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_EQ(calls, 3);
}

TEST(XlsxErrorTest, UnwritablePathIsInternal) {
  test::PreparedReport r = PrepareReport(SalesTemplate());
  const std::string path = "/nonexistent-dir/sub/report.xlsx";
  Status s = RenderXlsx(r.tmpl, r.params, r.data, path);
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_TRUE(
      ContainsAll(s.message(), {"report.xlsx.partial", "xlsx file"}));  // lxw_strerror's words
  EXPECT_FALSE(test::PartialLeft(path));
}

TEST_F(XlsxTest, SheetNamesAreValidAndUnique) {
  test::PreparedReport r = PrepareReport(R"(id: names
title: Names
sources:
  s: {kind: inline, columns: [{name: v, type: int}], rows: [[1]]}
sections:
  - table: {source: s, title: "A very long table title that Excel would refuse"}
  - table: {source: s, title: "A very long table title that Excel would refuse"}
  - table: {source: s, title: "report"}
  - table: {source: s, title: "'quoted'"}
  - table: {source: s}
)");
  TempDir dir;
  json book = RenderAndInspect(r, dir, "names.xlsx");
  ASSERT_TRUE(book.contains("sheets"));
  EXPECT_EQ(book["sheets"], json({"Report", "A very long table title that Ex",
                                  "A very long table title tha (2)", "report (2)", "quoted", "s"}));
}

TEST_F(XlsxTest, InvalidUtf8IsReplacedAndLongTextCut) {
  test::PreparedReport r = PrepareReport(R"(id: text
title: Text
sources:
  s: {kind: inline, columns: [{name: v, type: text}], rows: [[x]]}
sections:
  - table: {source: s}
)");
  Table t;
  Column* v = t.AddColumn("v", ColumnType::kText);
  v->AppendText("bad \xff byte");
  v->AppendText(std::string(40000, 'a'));
  r.data.tables["s"] = std::move(t);
  TempDir dir;
  json book = RenderAndInspect(r, dir, "text.xlsx");
  ASSERT_TRUE(book.contains("sheets"));
  EXPECT_EQ(book["s"]["cells"]["A2"]["value"], "bad \uFFFD byte");
  EXPECT_EQ(book["s"]["cells"]["A3"]["value"].get<std::string>().size(), 32767u);
}

}  // namespace
}  // namespace quire
