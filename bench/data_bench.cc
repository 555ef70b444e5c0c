// data_bench: transforms over 1,000,000 rows (Google Benchmark). The
// headline: a group-by on an int and a text key (1,000 groups) with sum,
// avg and count, which must stay well under 100 ms; then filter + derive +
// sort over the same rows. The table is built once, outside the timing.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "workers/data/transforms.h"

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

}  // namespace

BENCHMARK_MAIN();
