// render_bench: the standard report workload of
// ../shared/bench/render-workload.md rendered by Quire's own renderers — the
// same RenderPdf the worker runs, over bench/workloads/standard_report.yaml
// with the workload's seeded data generated in-process (splitmix64, seed
// 20240601; the checksum is verified before anything is timed).
//
// Prints one line per figure:
//   quire <what> median_ms=<v> min_ms=<v> runs=<n>
//   quire datagen_ms=<v>  quire peak_rss_kib=<v>
// --mode report renders only the PDF + XLSX pair (for whole-process timing
// under /usr/bin/time); --mode all adds the single-chart micro-workloads.
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "common/template.h"
#include "workers/charts/chart.h"
#include "workers/render/chart_image.h"
#include "workers/render/pdf_renderer.h"
#include "workers/render/xlsx_renderer.h"

namespace {

using Clock = std::chrono::steady_clock;

// The workload's PRNG.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    s_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = s_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double U() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_;
};

struct Checksum {
  int64_t qty = 0;
  double amount = 0, bar = 0, last_a = 0, last_b = 0, pie = 0, scatter = 0;
};

// Fills the five sources of standard_report.yaml in the workload's draw
// order.
quire::ReportData Generate(Checksum* sum) {
  static const char* kRegions[] = {"North", "South",     "East",      "West",
                                   "Central", "Northeast", "Southwest", "Overseas"};
  static const char* kProducts[] = {"Widget", "Gadget", "Gizmo",  "Doohickey",
                                    "Sprocket", "Flange", "Bracket", "Valve",
                                    "Gasket",   "Bearing", "Coupling", "Fastener"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  SplitMix64 rng(20240601);
  quire::ReportData data;
  using quire::ColumnType;

  quire::Table& sales = data.tables["sales"];
  auto* id = sales.AddColumn("ID", ColumnType::kText);
  auto* date = sales.AddColumn("Date", ColumnType::kDate);
  auto* region = sales.AddColumn("Region", ColumnType::kText);
  auto* product = sales.AddColumn("Product", ColumnType::kText);
  auto* quantity = sales.AddColumn("Quantity", ColumnType::kInt);
  auto* amount = sales.AddColumn("Amount", ColumnType::kFloat);
  const int64_t jan1 = *quire::ParseDate("2024-01-01");
  for (int i = 0; i < 200; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "R%04d", i + 1);
    id->AppendText(buf);
    date->AppendDate(jan1 + i);
    region->AppendText(kRegions[static_cast<int>(rng.U() * 8)]);
    product->AppendText(kProducts[static_cast<int>(rng.U() * 12)]);
    const int64_t q = 1 + static_cast<int64_t>(rng.U() * 500);
    const double a = std::round(rng.U() * 10000 * 100) / 100;
    quantity->AppendInt(q);
    amount->AppendFloat(a);
    sum->qty += q;
    sum->amount += a;
  }

  quire::Table& monthly = data.tables["monthly"];
  // Every column is added before any row: AddColumn pads a new column to
  // the rows already there.
  auto* month = monthly.AddColumn("Month", ColumnType::kText);
  std::vector<quire::Column*> years;
  for (const char* year : {"2022", "2023", "2024"}) {
    years.push_back(monthly.AddColumn(year, ColumnType::kFloat));
  }
  for (const char* m : kMonths) month->AppendText(m);
  for (quire::Column* series : years) {
    for (int m = 0; m < 12; ++m) {
      const double v = 50 + rng.U() * 150;
      series->AppendFloat(v);
      sum->bar += v;
    }
  }

  quire::Table& daily = data.tables["daily"];
  auto* day = daily.AddColumn("Day", ColumnType::kInt);
  auto* index_a = daily.AddColumn("Index A", ColumnType::kFloat);
  auto* index_b = daily.AddColumn("Index B", ColumnType::kFloat);
  for (int d = 1; d <= 365; ++d) day->AppendInt(d);
  for (const auto& [name, series, start] :
       {std::tuple{"Index A", index_a, 100.0}, std::tuple{"Index B", index_b, 120.0}}) {
    double y = start;
    for (int d = 0; d < 365; ++d) {
      y += (rng.U() - 0.5) * 4;
      series->AppendFloat(y);
    }
    (std::string(name) == "Index A" ? sum->last_a : sum->last_b) = y;
  }

  quire::Table& segments = data.tables["segments"];
  auto* segment = segments.AddColumn("Segment", ColumnType::kText);
  auto* share = segments.AddColumn("Share", ColumnType::kFloat);
  for (char c = 'A'; c <= 'H'; ++c) {
    segment->AppendText(std::string("Segment ") + c);
    const double v = 5 + rng.U() * 20;
    share->AppendFloat(v);
    sum->pie += v;
  }

  quire::Table& orders = data.tables["orders"];
  auto* sx = orders.AddColumn("Order size", ColumnType::kFloat);
  auto* sy = orders.AddColumn("Orders", ColumnType::kFloat);
  for (int i = 0; i < 1000; ++i) {
    const double x = rng.U() * 100;
    const double y = 0.5 * x + (rng.U() - 0.5) * 30;
    sx->AppendFloat(x);
    sy->AppendFloat(y);
    sum->scatter += x + y;
  }
  return data;
}

bool ChecksumMatches(const Checksum& s) {
  auto near = [](double a, double b, double tol) { return std::fabs(a - b) <= tol; };
  return s.qty == 46593 && near(s.amount, 1010695.58, 0.005) && near(s.bar, 4993.589576, 5e-7) &&
         near(s.last_a, 129.261101, 5e-7) && near(s.last_b, 108.925798, 5e-7) &&
         near(s.pie, 133.918623, 5e-7) && near(s.scatter, 75604.020648, 5e-7);
}

struct Timing {
  double median = 0, min = 0;
};

// Runs `fn` `runs` times (the first run included: it pays any warm-up) and
// returns the median and minimum in ms. Exits on the first error.
Timing Time(const char* what, int runs, const std::function<quire::Status()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    quire::Status s = fn();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!s.ok()) {
      std::fprintf(stderr, "render_bench: %s: %s\n", what, s.ToString().c_str());
      std::exit(1);
    }
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

void Print(const std::string& what, const std::vector<Timing>& sweeps, int runs) {
  std::vector<double> medians;
  double min = INFINITY;
  for (const Timing& t : sweeps) {
    medians.push_back(t.median);
    min = std::min(min, t.min);
  }
  std::sort(medians.begin(), medians.end());
  std::printf("quire %-28s median_ms=%.2f min_ms=%.2f runs=%d sweeps=%zu\n", what.c_str(),
              medians[medians.size() / 2], min, runs, sweeps.size());
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Renders the standard report workload with Quire's renderers"};
  std::string template_path =
      std::string(QUIRE_SOURCE_DIR) + "/bench/workloads/standard_report.yaml";
  std::string out_dir = "render_bench_out";
  std::string mode = "all";
  int runs = 20, sweeps = 3;
  app.add_option("--template", template_path, "the workload template");
  app.add_option("--out", out_dir, "where the files are written (use a disk, not tmpfs)");
  app.add_option("--mode", mode, "report (PDF + XLSX only) or all")
      ->check(CLI::IsMember({"report", "all"}));
  std::string only;
  app.add_option("--only", only, "run only the cases whose name contains this");
  app.add_option("--runs", runs, "timed runs per sweep")->check(CLI::PositiveNumber);
  app.add_option("--sweeps", sweeps, "sweeps; the median of their medians is printed")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  const auto gen_start = Clock::now();
  Checksum sum;
  const quire::ReportData data = Generate(&sum);
  const double datagen_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - gen_start).count();
  if (!ChecksumMatches(sum)) {
    std::fprintf(stderr, "render_bench: checksum mismatch: %lld %.2f %.6f %.6f %.6f %.6f %.6f\n",
                 static_cast<long long>(sum.qty), sum.amount, sum.bar, sum.last_a, sum.last_b,
                 sum.pie, sum.scatter);
    return 1;
  }
  quire::ParseResult parsed = quire::ParseTemplate(Read(template_path));
  if (!parsed.tmpl) {
    for (const auto& issue : parsed.issues) {
      std::fprintf(stderr, "%s:%s\n", template_path.c_str(), quire::FormatIssue(issue).c_str());
    }
    return 1;
  }
  const quire::ReportTemplate& tmpl = *parsed.tmpl;
  const quire::ParamValues params;
  std::filesystem::create_directories(out_dir);
  const std::string pdf = out_dir + "/report.pdf";

  const std::string xlsx = out_dir + "/report.xlsx";
  auto render_pdf = [&] { return quire::RenderPdf(tmpl, params, data, pdf); };
  auto render_xlsx = [&] { return quire::RenderXlsx(tmpl, params, data, xlsx); };
  // Both documents, one after the other (one core's work).
  auto both = [&] {
    quire::Status s = render_pdf();
    return s.ok() ? render_xlsx() : s;
  };
  // Both documents at once, as the RENDERING_REPORT stage writes them.
  auto concurrent = [&] {
    auto x = std::async(std::launch::async, render_xlsx);
    quire::Status s = render_pdf();
    quire::Status xs = x.get();
    return s.ok() ? xs : s;
  };

  std::printf("quire datagen_ms=%.3f checksum=ok\n", datagen_ms);
  struct Case {
    std::string name;
    std::function<quire::Status()> fn;
  };
  std::vector<Case> cases = {{"report.pdf+xlsx sequential", both},
                             {"report.pdf+xlsx concurrent", concurrent}};
  if (mode == "all") {
    cases.push_back({"report.pdf", render_pdf});
    cases.push_back({"report.xlsx", render_xlsx});
    // Each chart alone, as PNG (144 dpi) and as a one-page PDF.
    for (const quire::Section& section : tmpl.sections) {
      if (section.kind != quire::SectionKind::kChart) continue;
      const quire::ChartSpec& chart = section.chart;
      const quire::Table& table = data.tables.at(chart.source);
      const std::string name = quire::ChartTypeName(chart.type);
      for (auto format : {quire::ImageFormat::kPng, quire::ImageFormat::kPdf}) {
        const std::string ext = quire::ImageFormatName(format);
        const std::string path = out_dir + "/" + name + "." + ext;
        cases.push_back({"chart " + name + "." + ext, [&chart, &table, format, path] {
                           return quire::WriteChartImage(chart, table, format, path);
                         }});
      }
    }
  }
  for (const Case& c : cases) {
    if (!only.empty() && c.name.find(only) == std::string::npos) continue;
    std::vector<Timing> sweeps_t;
    for (int s = 0; s < sweeps; ++s) sweeps_t.push_back(Time(c.name.c_str(), runs, c.fn));
    Print(c.name, sweeps_t, runs);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("quire peak_rss_kib=%ld\n", usage.ru_maxrss);
  return 0;
}
