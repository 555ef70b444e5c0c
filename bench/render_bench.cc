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
#include <sys/resource.h>

#include <CLI/CLI.hpp>
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

#include "bench/workloads/standard_report_data.h"
#include "common/template/template.h"
#include "report/charts/chart.h"
#include "report/render/chart_image.h"
#include "report/render/pdf_renderer.h"
#include "report/render/xlsx_renderer.h"

namespace {

using Clock = std::chrono::steady_clock;

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
      std::string(QUIRE_SOURCE_DIR) + "/" + quire::workload::kStandardReportTemplate;
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
  quire::workload::Checksum sum;
  const quire::ReportData data = quire::workload::GenerateStandardReport(&sum);
  const double datagen_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - gen_start).count();
  if (!quire::workload::ChecksumMatches(sum)) {
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
    // Each chart alone, as PNG (144 dpi) and as a one-page PDF, into a file
    // (as the chart stage does) and into memory (as RenderChart does).
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
        cases.push_back({"chart " + name + "." + ext + " in memory", [&chart, &table, format] {
                           return quire::RenderChartImage(chart, table, format).status();
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
