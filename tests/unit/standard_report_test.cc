// The standard report workload (../shared/bench/render-workload.md) rendered
// the way render_bench times it, checked as a reader would: the generator
// reproduces the published checksum; the PDF has 7 pages with "Page N of M",
// the header row at the top of every table page, every chart's title, axis
// titles and legend entries as text, and embedded fonts; the XLSX holds the
// table as typed cells and four native charts of the right kinds over
// ChartData ranges.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/workloads/standard_report_data.h"
#include "common/template/template.h"
#include "report/render/pdf_renderer.h"
#include "report/render/xlsx_renderer.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

using test::ContainsAll;
using test::RunCommand;

class StandardReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = workload::GenerateStandardReport(&sum_);
    ParseResult parsed =
        ParseTemplate(test::ReadFile(test::SourcePath(workload::kStandardReportTemplate)));
    ASSERT_TRUE(parsed.tmpl.has_value()) << test::FormatIssues(parsed.issues);
    tmpl_ = std::move(*parsed.tmpl);
  }

  // pdftotext of one page, laid out.
  std::string PageText(const std::string& pdf, int page) {
    return RunCommand("pdftotext -layout -enc UTF-8 -f " + std::to_string(page) + " -l " +
                      std::to_string(page) + " '" + pdf + "' - 2>/dev/null")
        .output;
  }

  workload::Checksum sum_;
  ReportData data_;
  ReportTemplate tmpl_;
  ParamValues params_;
  test::TempDir dir_;
};

TEST_F(StandardReportTest, GeneratorReproducesTheChecksum) {
  EXPECT_TRUE(workload::ChecksumMatches(sum_));
  EXPECT_EQ(sum_.qty, 46593);
  EXPECT_NEAR(sum_.amount, 1010695.58, 0.005);
  EXPECT_EQ(data_.tables.at("sales").num_rows(), 200u);
  EXPECT_EQ(data_.tables.at("daily").num_rows(), 365u);
  EXPECT_EQ(data_.tables.at("orders").num_rows(), 1000u);
}

TEST_F(StandardReportTest, PdfReadsRight) {
  const std::string pdf = dir_.File("report.pdf");
  ASSERT_TRUE(RenderPdf(tmpl_, params_, data_, pdf).ok());

  const std::string info = RunCommand("pdfinfo '" + pdf + "'").output;
  EXPECT_TRUE(ContainsAll(info, {"Pages:           7", "Title:           Quarterly Sales "
                                                       "Performance Report",
                                 "Creator:         Quire", "595.276 x 841.89 pts (A4)"}));
  const std::string fonts = RunCommand("pdffonts '" + pdf + "'").output;
  EXPECT_TRUE(ContainsAll(fonts, {"DejaVuSans", "DejaVuSans-Bold"}));
  EXPECT_EQ(fonts.find(" no "), std::string::npos) << "a font is not embedded:\n" << fonts;

  const std::string first = PageText(pdf, 1);
  EXPECT_TRUE(ContainsAll(first, {"Quarterly Sales Performance Report",
                                  "This report summarises sales activity", "R0001",
                                  "2024-01-01", "8,291.15", "Page 1 of 7"}));
  // The table runs over pages 1-5, each starting with the header row.
  for (int page = 1; page <= 5; ++page) {
    SCOPED_TRACE("page " + std::to_string(page));
    const std::string text = PageText(pdf, page);
    const size_t header = text.find("ID");
    ASSERT_NE(header, std::string::npos) << text;
    EXPECT_TRUE(ContainsAll(text.substr(header, 120), {"Date", "Region", "Product", "Quantity",
                                                        "Amount"}));
    EXPECT_EQ(text.find("R0"), text.find("R0", header)) << "a row above the header:\n" << text;
    EXPECT_TRUE(ContainsAll(text, {"Page " + std::to_string(page) + " of 7"}));
  }
  EXPECT_TRUE(ContainsAll(PageText(pdf, 5), {"R0200"}));
  // Running header from page 2 on.
  EXPECT_TRUE(ContainsAll(PageText(pdf, 2).substr(0, 200), {"Quarterly Sales Performance Report"}));

  EXPECT_TRUE(ContainsAll(PageText(pdf, 6),
                          {"Monthly Revenue by Year", "Revenue (k$)", "Month", "2022", "2023",
                           "2024", "Jan", "Dec", "Daily Index Values", "Day of year",
                           "Index value", "Index A", "Index B", "Page 6 of 7"}));
  EXPECT_TRUE(ContainsAll(PageText(pdf, 7),
                          {"Revenue Share by Segment", "Segment A", "Segment H", "%",
                           "Order Size vs Margin", "Order size (units)", "Margin (%)", "Orders",
                           "Page 7 of 7"}));
}

TEST_F(StandardReportTest, XlsxHoldsTheTableAndFourNativeCharts) {
  const std::string xlsx = dir_.File("report.xlsx");
  ASSERT_TRUE(RenderXlsx(tmpl_, params_, data_, xlsx).ok());
  // The chart parts, straight from the zip.
  const test::CommandResult charts = RunCommand(
      "/usr/bin/python3 - '" + xlsx + "' <<'PY'\n"
      "import sys, zipfile\n"
      "z = zipfile.ZipFile(sys.argv[1])\n"
      "for n in sorted(x for x in z.namelist() if x.startswith('xl/charts/chart')):\n"
      "    body = z.read(n).decode()\n"
      "    kinds = [k for k in ('barChart', 'lineChart', 'pieChart', 'scatterChart') "
      "if '<c:' + k in body]\n"
      "    refs = 'ChartData!' in body\n"
      "    print(n, ','.join(kinds), 'refs' if refs else 'norefs')\n"
      "PY");
  ASSERT_EQ(charts.exit_code, 0) << charts.output;
  EXPECT_TRUE(ContainsAll(charts.output,
                          {"xl/charts/chart1.xml barChart refs", "xl/charts/chart2.xml lineChart refs",
                           "xl/charts/chart3.xml pieChart refs",
                           "xl/charts/chart4.xml scatterChart refs"}));
  // The table: typed cells, via openpyxl when it is installed.
  const test::CommandResult cells = RunCommand(
      "/usr/bin/python3 - '" + xlsx + "' 2>&1 <<'PY'\n"
      "import sys\n"
      "try:\n"
      "    import openpyxl\n"
      "except ImportError:\n"
      "    print('no openpyxl'); sys.exit(0)\n"
      "wb = openpyxl.load_workbook(sys.argv[1])\n"
      "for ws in wb.worksheets:\n"
      "    for row in ws.iter_rows(values_only=True):\n"
      "        if row and row[0] == 'R0001':\n"
      "            print(ws.title, [type(v).__name__ for v in row[:6]], row[4], row[5])\n"
      "PY");
  ASSERT_EQ(cells.exit_code, 0) << cells.output;
  if (cells.output.find("no openpyxl") != std::string::npos) GTEST_SKIP() << "no openpyxl";
  EXPECT_TRUE(ContainsAll(cells.output, {"['str', 'datetime', 'str', 'str', 'int', 'float'] 5 "
                                         "8291.15"}));
}

}  // namespace
}  // namespace quire
