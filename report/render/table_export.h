// Table exports: the table sections of a report as plain data files — CSV
// (RFC 4180) and JSON (an array of objects) — with exact, unformatted
// values. Which tables are shown, and which of their columns, is the
// section walk's (section_walk.h). Does not fetch data and does not lay out
// pages.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/render/section_walk.h"

namespace quire {

// ---------------------------------------------------------------------------
// Files of one table. Both write via a partial file moved into place when
// complete, and return INTERNAL naming the file when it cannot be written,
// or SelectTableColumns' error.

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
