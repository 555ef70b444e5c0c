// validate_bench: parse + validate templates (Google Benchmark). The
// largest shipped template in deploy/templates/ is the headline figure; the
// original Python system quotes "basic validation < 1 s".
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/template/template.h"

namespace {

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every template in deploy/templates, registered as one benchmark each.
void RegisterAll() {
  std::filesystem::path dir = std::filesystem::path(QUIRE_SOURCE_DIR) / "deploy" / "templates";
  std::filesystem::path largest;
  uintmax_t largest_size = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    std::string name = "ParseAndValidate/" + e.path().filename().string();
    std::string text = Read(e.path());
    if (e.file_size() > largest_size) {
      largest_size = e.file_size();
      largest = e.path();
    }
    benchmark::RegisterBenchmark(name.c_str(), [text](benchmark::State& state) {
      for (auto _ : state) {
        quire::ParseResult r = quire::ParseTemplate(text);
        if (quire::HasBlockingIssues(r.issues)) state.SkipWithError("template has errors");
        benchmark::DoNotOptimize(r);
      }
      state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
    })->Unit(benchmark::kMicrosecond);
  }
  if (!largest.empty()) {
    std::string text = Read(largest);
    std::string name = "ParseAndValidate/LARGEST=" + largest.filename().string();
    benchmark::RegisterBenchmark(name.c_str(), [text](benchmark::State& state) {
      for (auto _ : state) benchmark::DoNotOptimize(quire::ParseTemplate(text));
    })->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
