// `quirectl render`: a whole report rendered in-process from a template
// file — no Redis, no gateway, no worker — with the outputs the template
// names or those asked on the command line, and clear exit codes for bad
// input.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "report/render/chart_image.h"
#include "tests/integration/cluster.h"

namespace quire::testing {
namespace {

CommandResult Render(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {QuirectlBinary(), "render"});
  return RunCommand(args, {}, dir.path() + "/quirectl.log", 120s);
}

TEST(QuirectlRender, WritesEveryOutputTheTemplateNames) {
  TempDir dir;
  const std::string out = dir.path() + "/out";
  CommandResult r =
      Render(dir, {SourceDir() + "/deploy/templates/sales_summary.yaml", "-p", "year=2023", "-o",
                   out});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // outputs: [pdf, xlsx, png, csv] — six charts, one table.
  for (const char* name : {"report.pdf", "report.xlsx", "chart1.png", "chart6.png", "table1.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + name)) << name << "\n" << r.output;
    EXPECT_NE(r.output.find(out + "/" + name), std::string::npos) << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(out + "/chart7.png"));
  EXPECT_FALSE(std::filesystem::exists(out + "/.quire-render")) << "staging left behind";

  CommandResult text = RunCommand({"/usr/bin/pdftotext", out + "/report.pdf", "-"}, {},
                                  dir.path() + "/pdftotext.log", 30s);
  EXPECT_NE(text.output.find("Sales summary 2023"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Revenue by channel"), std::string::npos) << text.output;

  // PNGs at the theme's 144 dpi: a 480 pt wide chart is 960 pixels wide.
  const std::string png = ReadFileText(out + "/chart1.png");
  ASSERT_GT(png.size(), 24u);
  const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(png[i])); };
  EXPECT_EQ((byte(16) << 24) | (byte(17) << 16) | (byte(18) << 8) | byte(19), 960u);
  EXPECT_NEAR(PngDpi(png).value_or(0), 144, 0.1);

  const std::string csv = ReadFileText(out + "/table1.csv");
  EXPECT_EQ(csv.rfind("Deal,Size (k),Discount", 0), 0u) << csv;
  EXPECT_EQ(ReadFileText(out + "/report.xlsx").substr(0, 2), "PK");
}

TEST(QuirectlRender, OutputsFromTheCommandLine) {
  TempDir dir;
  const std::string out = dir.path() + "/out";
  CommandResult r = Render(dir, {SourceDir() + "/deploy/templates/demo.yaml", "-o", out,
                                 "--output", "svg", "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out + "/chart1.svg")) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out + "/table1.json")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out + "/report.pdf")) << "pdf was not asked for";
  CommandResult xml = RunCommand(
      {"/usr/bin/python3", "-c",
       "import sys, json, xml.etree.ElementTree as E; E.parse(sys.argv[1]); "
       "rows = json.load(open(sys.argv[2])); print(len(rows), sorted(rows[0]))",
       out + "/chart1.svg", out + "/table1.json"},
      {}, dir.path() + "/python.log", 30s);
  EXPECT_EQ(xml.exit_code, 0) << xml.output;
  EXPECT_NE(xml.output.find("12 ['2022', '2023', '2024', 'month']"), std::string::npos)
      << xml.output;
}

TEST(QuirectlRender, BadInputExitsTwoWithAReason) {
  TempDir dir;
  CommandResult r = Render(dir, {SourceDir() + "/deploy/templates/demo.yaml", "-p",
                                 "region=Mars", "-o", dir.path() + "/out"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("region"), std::string::npos) << r.output;

  r = Render(dir, {dir.path() + "/missing.yaml", "-o", dir.path() + "/out"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("missing.yaml"), std::string::npos) << r.output;

  r = Render(dir, {SourceDir() + "/deploy/templates/demo.yaml", "--output", "docx", "-o",
                   dir.path() + "/out"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("docx"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace quire::testing
