// XlsxRenderer: a report as an Excel workbook (libxlsxwriter), with the
// data typed and the charts native, so the reader can sort, filter and
// recalculate. Sheets, in order:
//   Report     the title, the parameters (Name/Value), then the headings,
//              text, KPIs and links to the tables and charts, in section
//              order; "Data unavailable" notes.
//   <table>    one sheet per shown table section, named after its title (or
//              source; the for_each group appended), with a bold grey
//              header row that is frozen, filtered and repeated on printed
//              pages, typed cells in Excel number and date formats
//              translated from the template's, and a SUM totals row.
//   ChartData  each chart's series in its own block of columns.
//   Charts     every chart as a native Excel chart over ChartData, two a
//              row.
// Shows the sections the PDF shows (the section walk, section_walk.h);
// does not draw: Excel draws the charts.
#pragma once

#include <functional>
#include <string>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

// Writes the workbook to `path` (via `path`.partial, renamed when complete,
// removed on failure). `data` holds a table for every source a section
// uses; FAILED_PRECONDITION names a missing one, except for optional
// sources and transforms over them, whose sections say "Data unavailable" on the
// Report sheet instead. INVALID_ARGUMENT for a `when:` that does not
// evaluate, a table or chart naming a column its data lacks, or a value
// column that is not numeric. CANCELLED when `cancelled` (may be empty;
// checked between sections and every 1000 rows) returns true. INTERNAL with
// libxlsxwriter's reason when the workbook cannot be written.
// Thread-compatible: concurrent calls with distinct paths are fine.
Status RenderXlsx(const ReportTemplate& tmpl, const ParamValues& params, const ReportData& data,
                  const std::string& path, const std::function<bool()>& cancelled = {});

}  // namespace quire
