// XlsxCharts: a workbook's charts — each chart's series as a block of
// columns on the ChartData sheet, its rows as the PDF's chart reads them,
// and a native Excel chart over that block on the Charts sheet, two a row,
// in the chart's colours or the template's palette. Excel draws the charts;
// nothing here does, and the Report sheet's links are the caller's.
#pragma once

#include <xlsxwriter.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/render/internal/xlsx_cells.h"
#include "report/render/internal/xlsx_formats.h"

namespace quire {

// One chart's data as written to ChartData: column 0 the categories or x
// values (or the histogram's bin labels), then one column per series.
struct ChartBlock {
  ChartSpec spec;  // placeholders expanded
  Table data;      // columns named c0, c1, ...: the headers may repeat
  std::vector<std::string> headers;
};

// The block of `spec` over `table` (ExtractSeries: bars and pies by row,
// lines, areas and scatters sorted by a numeric or date x; a histogram's
// bins and counts). INVALID_ARGUMENT for a column the table lacks or of the
// wrong type.
StatusOr<ChartBlock> MakeChartBlock(const ChartSpec& spec, const Table& table);

// The charts of one workbook, collected while its sections are written and
// written after its table sheets.
class ChartSheets {
 public:
  // Series colours from `theme`'s palette, unless a chart has its own.
  explicit ChartSheets(const Theme& theme);

  // Keeps `block` for Write. Returns where its chart will sit, as a link
  // target ("Charts!$A$1").
  std::string Add(ChartBlock block);

  // Adds ChartData and Charts to `wb`; nothing when no chart was added.
  // RESOURCE_EXHAUSTED when the blocks need more columns than a sheet has,
  // or WriteRows' CANCELLED; libxlsxwriter's errors go to `errors`.
  Status Write(lxw_workbook* wb, WorkbookStyles* styles, const std::function<bool()>& cancelled,
               XlsxErrors* errors) const;

 private:
  std::vector<uint32_t> palette_;
  std::vector<ChartBlock> blocks_;
};

}  // namespace quire
