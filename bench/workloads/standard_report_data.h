// The standard report workload's data (../shared/bench/render-workload.md):
// the five tables of bench/workloads/standard_report.yaml generated with the
// workload's PRNG (splitmix64, seed 20240601) in its fixed draw order, and
// the checksum a correct generator reproduces. Shared by bench/render_bench
// and the rendering tests.
#pragma once

#include <cstdint>

#include "common/table/table.h"

namespace quire::workload {

struct Checksum {
  int64_t qty = 0;
  double amount = 0, bar = 0, last_a = 0, last_b = 0, pie = 0, scatter = 0;
};

// Tables "sales" (200 rows: ID, Date, Region, Product, Quantity, Amount),
// "monthly" (Month + 2022..2024), "daily" (Day + Index A/B, 365 rows),
// "segments" (8 slices) and "orders" (1,000 points), with their checksum.
ReportData GenerateStandardReport(Checksum* sum);

// True when `sum` is the workload's published checksum.
bool ChecksumMatches(const Checksum& sum);

// The workload's template, bench/workloads/standard_report.yaml.
constexpr const char* kStandardReportTemplate = "bench/workloads/standard_report.yaml";

}  // namespace quire::workload
