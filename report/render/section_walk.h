// SectionWalk: a report's sections as every document output reads them —
// the walk over the shown sections (`when:` honoured, for_each blocks
// expanded with their source filtered to each group), the table lookup
// with the optional-source rule, the columns a table section shows, the
// figure of a KPI and the "data unavailable" note. Shared by the PDF, the
// XLSX workbook and the CSV/JSON exports so that they agree on what a
// report holds. Does not lay out, draw or write anything.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

// ---------------------------------------------------------------------------
// Reading one section.

// "Data unavailable: 'NAME' has no data in this run." — what a section over
// a source without data says instead of its content.
std::string DataUnavailableNote(const std::string& source);

// Where a section is shown: the placeholder context (params, data, the
// for_each group) and the table lookups that go with it.
struct SectionScope {
  const ReportTemplate* tmpl = nullptr;
  PlaceholderContext placeholders;

  std::string Expand(const std::string& text) const;
  // The table of source or transform `name` as seen here (a for_each
  // block's source is filtered to its group). nullptr when its data is
  // unavailable by design (an optional source that failed, or a transform
  // reading one); FAILED_PRECONDITION "no data for source 'NAME'" when it
  // should have been collected.
  StatusOr<const Table*> FindTable(const std::string& name) const;
};

// One column a table section shows: the data, its header text and the
// template's display format and width (pt; 0: from the content).
struct SelectedColumn {
  const Column* column = nullptr;
  std::string label;
  std::string format;
  double width = 0;
};

// `columns` of `table` (every column, labelled by name, when empty), each
// labelled by its label, else its name. INVALID_ARGUMENT naming a column
// the table lacks.
StatusOr<std::vector<SelectedColumn>> SelectTableColumns(
    const Table& table, const std::vector<TableColumnSpec>& columns);

// The figure of a KPI over a source (kpi.source not empty): the aggregate
// of its column; NaN when the source's data is unavailable or nothing
// aggregates. INVALID_ARGUMENT "kpi 'LABEL': no column 'NAME'", or
// FindTable's error.
StatusOr<double> KpiFigure(const KpiSpec& kpi, const SectionScope& scope);

// Which way a KPI's delta text points: up when it starts with "+", down
// with "-" or U+2212, else neither.
enum class KpiTrend { kFlat, kUp, kDown };
KpiTrend KpiDeltaTrend(const std::string& delta);

// ---------------------------------------------------------------------------
// The walk.

// What VisitShownSections shows the sections to.
class SectionVisitor {
 public:
  virtual ~SectionVisitor() = default;

  // Each shown section other than for_each, in document order; and a
  // for_each section itself only when its source has no data (the visitor
  // then shows DataUnavailableNote(section.for_each_source)).
  virtual Status Visit(const Section& section, const SectionScope& scope) = 0;

  // Called where a run of shown sections ends, with the run's scope:
  // before a for_each block, and at the end of every list (each for_each
  // group's and the report's). What may be set side by side (the PDF's rows
  // of KPIs) stays within one run. Default: nothing.
  virtual Status EndRun(const SectionScope& scope);
};

// Shows `tmpl`'s sections to `visitor` in document order: a section
// whose `when:` is false is skipped (INVALID_ARGUMENT when it does not
// evaluate); a for_each block's sections repeat once per distinct value of
// its column, in order of first appearance, with {{ group }} set and its
// source filtered to the group's rows (INVALID_ARGUMENT when the column is
// missing). CANCELLED when `cancelled` (may be empty) returns true, checked
// before each section and each group. Stops at the visitor's first error.
Status VisitShownSections(const ReportTemplate& tmpl, const ParamValues& params,
                          const ReportData& data, std::chrono::system_clock::time_point now,
                          const std::function<bool()>& cancelled, SectionVisitor& visitor);

}  // namespace quire
