// Table exports: the table sections of a report as plain data files — CSV
// (RFC 4180) and JSON (an array of objects) — with exact, unformatted
// values. Also the walk over a report's shown sections (`when:` honoured,
// for_each blocks expanded, the optional-source rule) that the data outputs
// (these exports and the XLSX workbook) share. Does not fetch data and does
// not lay out pages.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/table.h"
#include "common/template.h"

namespace quire {

// ---------------------------------------------------------------------------
// Columns of a table section.

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

// ---------------------------------------------------------------------------
// Files of one table. Both write via `path`.partial, renamed when complete,
// and return INTERNAL naming the file when it cannot be written, or
// SelectTableColumns' error.

// A header of the labels, then one line per row, CRLF-terminated; a field
// holding a comma, a quote, CR or LF is quoted, its quotes doubled. Values
// as Column::AsString (ints, dates ISO, bools true/false) except floats,
// which are written as FormatDouble when that reads back exactly and in the
// shortest exact form otherwise. Nulls and NaN are empty fields. UTF-8, no
// byte-order mark.
Status WriteTableCsv(const Table& table, const std::vector<TableColumnSpec>& columns,
                     const std::string& path);

// An array of objects, one per row, keyed by column name (not label), keys
// in column order: numbers as JSON numbers, bools as true/false, dates as
// "YYYY-MM-DD", text as strings (invalid UTF-8 replaced by U+FFFD), nulls,
// NaN and infinities as null.
Status WriteTableJson(const Table& table, const std::vector<TableColumnSpec>& columns,
                      const std::string& path);

// ---------------------------------------------------------------------------
// The walk over a report's sections.

// "Data unavailable: 'NAME' has no data in this run." — what a section over
// a source without data says instead of its content.
std::string DataUnavailableNote(const std::string& source);

// Where a section is rendered: the placeholder context (params, data, the
// for_each group) and the table lookups that go with it.
struct SectionScope {
  const ReportTemplate* tmpl = nullptr;
  PlaceholderContext placeholders;

  std::string Expand(const std::string& text) const;
  // The table of source or transform `name` as seen here (a for_each
  // block's source is filtered to its group). nullptr when its data is
  // unavailable by design (an optional source, a transform);
  // FAILED_PRECONDITION "no data for source 'NAME'" when it should have been
  // collected.
  StatusOr<const Table*> FindTable(const std::string& name) const;
};

// Called for each shown section other than for_each, in document order; and
// for a for_each section itself only when its source has no data (the
// visitor then shows DataUnavailableNote(section.for_each_source)).
using SectionVisitor = std::function<Status(const Section&, const SectionScope&)>;

// Visits `tmpl`'s sections as the PDF shows them: a section whose `when:`
// is false is skipped (INVALID_ARGUMENT when it does not evaluate); a
// for_each block's sections repeat once per distinct value of its column,
// in order of first appearance, with {{ group }} set and its source
// filtered to the group's rows (INVALID_ARGUMENT when the column is
// missing). CANCELLED when `cancelled` (may be empty) returns true, checked
// before each section and each group. Stops at the visitor's first error.
Status VisitShownSections(const ReportTemplate& tmpl, const ParamValues& params,
                          const ReportData& data, std::chrono::system_clock::time_point now,
                          const std::function<bool()>& cancelled, const SectionVisitor& visit);

// ---------------------------------------------------------------------------
// The exports of a report.

struct TableExportOptions {
  bool csv = true;
  bool json = true;
};

// Writes `dir`/tableN.csv and/or `dir`/tableN.json for the N-th shown table
// section (N from 1 in section order, each for_each repetition counted) and
// returns the paths written. A table whose data is unavailable is counted
// but gets no file. VisitShownSections' errors, and those of the writers.
StatusOr<std::vector<std::string>> WriteTableExports(const ReportTemplate& tmpl,
                                                     const ParamValues& params,
                                                     const ReportData& data, const std::string& dir,
                                                     const TableExportOptions& options,
                                                     const std::function<bool()>& cancelled = {});

}  // namespace quire
