// The standard report workload's generator.
#include "bench/workloads/standard_report_data.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

namespace quire::workload {
namespace {

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

// Fills the five sources of standard_report.yaml in the workload's draw
// order.
}  // namespace

ReportData GenerateStandardReport(Checksum* sum) {
  static const char* kRegions[] = {"North", "South",     "East",      "West",
                                   "Central", "Northeast", "Southwest", "Overseas"};
  static const char* kProducts[] = {"Widget", "Gadget", "Gizmo",  "Doohickey",
                                    "Sprocket", "Flange", "Bracket", "Valve",
                                    "Gasket",   "Bearing", "Coupling", "Fastener"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  SplitMix64 rng(20240601);
  ReportData data;

  Table& sales = data.tables["sales"];
  auto* id = sales.AddColumn("ID", ColumnType::kText);
  auto* date = sales.AddColumn("Date", ColumnType::kDate);
  auto* region = sales.AddColumn("Region", ColumnType::kText);
  auto* product = sales.AddColumn("Product", ColumnType::kText);
  auto* quantity = sales.AddColumn("Quantity", ColumnType::kInt);
  auto* amount = sales.AddColumn("Amount", ColumnType::kFloat);
  const int64_t jan1 = *ParseDate("2024-01-01");
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

  Table& monthly = data.tables["monthly"];
  // Every column is added before any row: AddColumn pads a new column to
  // the rows already there.
  auto* month = monthly.AddColumn("Month", ColumnType::kText);
  std::vector<Column*> years;
  for (const char* year : {"2022", "2023", "2024"}) {
    years.push_back(monthly.AddColumn(year, ColumnType::kFloat));
  }
  for (const char* m : kMonths) month->AppendText(m);
  for (Column* series : years) {
    for (int m = 0; m < 12; ++m) {
      const double v = 50 + rng.U() * 150;
      series->AppendFloat(v);
      sum->bar += v;
    }
  }

  Table& daily = data.tables["daily"];
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

  Table& segments = data.tables["segments"];
  auto* segment = segments.AddColumn("Segment", ColumnType::kText);
  auto* share = segments.AddColumn("Share", ColumnType::kFloat);
  for (char c = 'A'; c <= 'H'; ++c) {
    segment->AppendText(std::string("Segment ") + c);
    const double v = 5 + rng.U() * 20;
    share->AppendFloat(v);
    sum->pie += v;
  }

  Table& orders = data.tables["orders"];
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


}  // namespace quire::workload
